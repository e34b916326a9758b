"""The scope rule for coordinator accounts (hokenfukushi/scope.py): they read their record's
region, change only their own rows and their organization's, and nothing else."""

import pytest
from django.core.exceptions import ValidationError

from caseload.factories import CountReportFactory
from caseload.models import CountReport
from coordinators.factories import ActivityFactory, CoordinatorFactory, OrganizationFactory
from coordinators.models import Activity, Coordinator
from hokenfukushi.factories import CoordinatorAccountFactory
from hokenfukushi.models import Council, CouncilForm, LocalResource, Municipality, User
from hokenfukushi.scope import can_edit_anything, can_read_anything, is_coordinator_account
from meetings.factories import ActionItemFactory, MeetingFactory
from meetings.models import ActionItem, Meeting


@pytest.fixture
def record(coordinator_user):
    return coordinator_user.coordinator_record


def test_reads_its_region_only(coordinator_user, town, other_town, far_town):
    assert set(Municipality.objects.visible_to(coordinator_user)) == {town, other_town}
    assert coordinator_user.scope_region_id == town.region_id
    here, there = MeetingFactory(region=town.region), MeetingFactory(region=far_town.region)
    assert list(Meeting.objects.visible_to(coordinator_user)) == [here]
    assert there not in Meeting.objects.visible_to(coordinator_user)


def test_reads_every_coordinator_of_the_region_changes_only_its_own(
    coordinator_user, record, other_town, far_town
):
    colleague = CoordinatorFactory(organization__municipality=other_town)
    far = CoordinatorFactory(organization__municipality=far_town)
    visible = set(Coordinator.objects.visible_to(coordinator_user))
    assert {record, colleague} <= visible and far not in visible
    assert list(Coordinator.objects.editable_by(coordinator_user)) == [record]


def test_never_changes_counts_councils_resources_or_meetings(coordinator_user, town):
    CountReportFactory(municipality=town)
    council = Council.objects.create(region=town.region, name="協議の場", form=CouncilForm.SINGLE)
    LocalResource.objects.create(
        name="事業所", kind="child_development", municipality=town, serves_children=True
    )
    MeetingFactory(region=town.region)
    assert not CountReport.objects.editable_by(coordinator_user).exists()
    assert not Council.objects.editable_by(coordinator_user).filter(pk=council.pk).exists()
    assert not LocalResource.objects.editable_by(coordinator_user).exists()
    assert not Meeting.objects.editable_by(coordinator_user).exists()
    assert not Municipality.objects.editable_by(coordinator_user).exists()
    assert can_edit_anything(coordinator_user) is False


def test_reads_and_changes_only_its_own_activity(coordinator_user, record, other_town):
    own = ActivityFactory(coordinator=record)
    colleague = ActivityFactory(coordinator__organization__municipality=other_town)
    assert list(Activity.objects.visible_to(coordinator_user)) == [own]
    assert list(Activity.objects.editable_by(coordinator_user)) == [own]
    assert colleague in Activity.objects.visible_to(_admin(town=other_town))


def _admin(*, town):
    from hokenfukushi.factories import RegionAdminFactory

    return RegionAdminFactory(region=town.region, username="center_x")


def test_the_center_reads_every_activity_of_its_region(region_admin, record, far_town):
    own = ActivityFactory(coordinator=record)
    ActivityFactory(coordinator__organization__municipality=far_town)
    assert list(Activity.objects.visible_to(region_admin)) == [own]


def test_changes_progress_of_its_organizations_action_items_only(coordinator_user, record, town):
    meeting = MeetingFactory(region=town.region)
    ours = ActionItemFactory(raised_at=meeting, owner_organization=record.organization)
    theirs = ActionItemFactory(
        raised_at=meeting, owner_organization=OrganizationFactory(municipality=town)
    )
    nobodys = ActionItemFactory(raised_at=meeting, owner_organization=None)
    editable = set(ActionItem.objects.editable_by(coordinator_user))
    assert editable == {ours}
    assert {ours, theirs, nobodys} <= set(ActionItem.objects.visible_to(coordinator_user))


def test_an_inactive_record_or_no_record_means_no_scope(coordinator_user, record):
    assert is_coordinator_account(coordinator_user)
    record.is_active = False
    record.save()
    fresh = User.objects.get(pk=coordinator_user.pk)
    assert not can_read_anything(fresh) and not is_coordinator_account(fresh)
    assert not Coordinator.objects.editable_by(fresh).exists()
    lone = CoordinatorAccountFactory(username="lone")
    assert lone.scope_region_id is None and not can_read_anything(lone)


def test_a_deactivated_account_reads_nothing(coordinator_user):
    coordinator_user.is_active = False
    assert not Municipality.objects.visible_to(coordinator_user).exists()


def test_the_scope_costs_one_query_per_request(coordinator_user, django_assert_num_queries):
    fresh = User.objects.get(pk=coordinator_user.pk)
    with django_assert_num_queries(1):
        for _ in range(3):
            Municipality.objects.visible_to(fresh)
            Coordinator.objects.editable_by(fresh)
            Activity.objects.visible_to(fresh)


def test_a_coordinator_account_has_no_home_region_or_town(db, town):
    account = CoordinatorAccountFactory.build(username="x", region=town.region)
    with pytest.raises(ValidationError) as error:
        account.validate_constraints()
    assert "圏域・市町村は空欄" in str(error.value)


def test_region_admins_manage_their_coordinators_accounts(
    region_admin, coordinator_user, other_region_coordinator
):
    managed = set(User.objects.visible_to(region_admin))
    assert coordinator_user in managed and other_region_coordinator not in managed
