"""Whose activity entries a user sees counted (`Activity.objects.counted_for`, by
scope.count_filter): what the dashboard's 活動記録 and the activity exports add up, as each role."""

import datetime as dt

import pytest

from coordinators.factories import ActivityFactory, CoordinatorFactory, OrganizationFactory
from coordinators.models import Activity

DAY = dt.date(2025, 5, 12)


@pytest.fixture
def entries(town, other_town, far_town, coordinator_user):
    """One entry in each town of region A by another coordinator, one of the coordinator
    account's own in `town`, one in region B."""
    colleague = CoordinatorFactory(organization=OrganizationFactory(municipality=other_town))
    far = CoordinatorFactory(organization=OrganizationFactory(municipality=far_town))
    own = coordinator_user.coordinator_record
    return {
        "own": ActivityFactory(coordinator=own, municipality=town, done_on=DAY),
        "town": ActivityFactory(coordinator=colleague, municipality=town, done_on=DAY),
        "other_town": ActivityFactory(coordinator=colleague, municipality=other_town, done_on=DAY),
        "far_town": ActivityFactory(coordinator=far, municipality=far_town, done_on=DAY),
    }


# role -> the entries whose counts it sees
SEEN = {
    "superuser": {"own", "town", "other_town", "far_town"},
    "prefecture_user": {"own", "town", "other_town", "far_town"},
    "region_admin": {"own", "town", "other_town"},
    "municipal_user": {"own", "town"},  # its own town only
    "other_town_user": {"other_town"},
    "other_region_user": {"far_town"},
    # a coordinator sees the region's counts, though it reads only its own entries
    "coordinator_user": {"own", "town", "other_town"},
    "other_region_coordinator": {"far_town"},
    "anonymous": set(),
}


@pytest.mark.parametrize("role", SEEN)
def test_counted_for_each_role(request, entries, role):
    user = request.getfixturevalue(role)
    seen = set(Activity.objects.counted_for(user).values_list("pk", flat=True))
    assert seen == {entries[name].pk for name in SEEN[role]}


def test_a_coordinator_still_reads_only_its_own_entries(entries, coordinator_user):
    # counting the region's entries does not open them to it
    assert list(Activity.objects.visible_to(coordinator_user)) == [entries["own"]]


def test_municipal_staff_without_a_town_and_inactive_users_count_nothing(
    entries, municipal_user, region_admin
):
    municipal_user.municipality = None
    assert not Activity.objects.counted_for(municipal_user).exists()
    region_admin.is_active = False
    assert not Activity.objects.counted_for(region_admin).exists()
