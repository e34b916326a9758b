"""The scope rule for every role against own town, another town and another region."""

import pytest

from hokenfukushi.factories import PopulationSnapshotFactory
from hokenfukushi.models import Municipality, PopulationSnapshot, Region

# role -> (reads own town, reads other town, reads far town, edits own, edits other, edits far)
EXPECTED = {
    "superuser": (True, True, True, True, True, True),
    "region_admin": (True, True, False, True, True, False),
    "municipal_user": (True, True, False, True, False, False),
    "other_town_user": (True, True, False, False, True, False),
    "other_region_user": (False, False, True, False, False, True),
    "prefecture_user": (True, True, True, False, False, False),
    "anonymous": (False, False, False, False, False, False),
}


@pytest.fixture
def snapshots(town, other_town, far_town):
    return {
        "town": PopulationSnapshotFactory(municipality=town),
        "other": PopulationSnapshotFactory(municipality=other_town),
        "far": PopulationSnapshotFactory(municipality=far_town),
    }


@pytest.mark.parametrize("role", EXPECTED)
def test_town_level_rows(role, user_for_role, snapshots):
    user = user_for_role(role)
    visible = set(PopulationSnapshot.objects.visible_to(user))
    editable = set(PopulationSnapshot.objects.editable_by(user))
    expected = EXPECTED[role]
    assert [snapshots[k] in visible for k in ("town", "other", "far")] == list(expected[:3])
    assert [snapshots[k] in editable for k in ("town", "other", "far")] == list(expected[3:])


@pytest.mark.parametrize("role", EXPECTED)
def test_municipalities(role, user_for_role, town, other_town, far_town):
    user = user_for_role(role)
    visible = set(Municipality.objects.visible_to(user))
    editable = set(Municipality.objects.editable_by(user))
    expected = EXPECTED[role]
    assert [t in visible for t in (town, other_town, far_town)] == list(expected[:3])
    assert [t in editable for t in (town, other_town, far_town)] == list(expected[3:])


@pytest.mark.parametrize(
    ("role", "reads", "edits"),
    [
        ("superuser", {"A", "B"}, {"A", "B"}),
        ("region_admin", {"A"}, {"A"}),
        ("municipal_user", {"A"}, set()),  # region-level rows are the base center's to edit
        ("other_region_user", {"B"}, set()),
        ("prefecture_user", {"A", "B"}, set()),
        ("anonymous", set(), set()),
    ],
)
def test_region_level_rows(role, reads, edits, user_for_role, town, far_town):
    user = user_for_role(role)
    names = {"テスト圏域A": "A", "テスト圏域B": "B"}
    assert {names[r.name] for r in Region.objects.visible_to(user)} == reads
    assert {names[r.name] for r in Region.objects.editable_by(user)} == edits


def test_inactive_user_sees_nothing(municipal_user, town):
    municipal_user.is_active = False
    assert not Municipality.objects.visible_to(municipal_user).exists()
    assert not Municipality.objects.editable_by(municipal_user).exists()


def test_scope_is_one_query(municipal_user, town, other_town, django_assert_num_queries):
    municipal_user.refresh_from_db()
    municipal_user.municipality  # noqa: B018 -- load the cached relation first
    with django_assert_num_queries(1):
        list(Municipality.objects.visible_to(municipal_user))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", True),
        ("region_admin", True),
        ("municipal_user", False),
        ("other_region_user", False),
        ("prefecture_user", False),
        ("anonymous", False),
    ],
)
def test_can_edit_regions_agrees_with_editable_regions(role, expected, user_for_role, town):
    from hokenfukushi.scope import can_edit_regions

    user = user_for_role(role)
    assert can_edit_regions(user) is expected
    assert Region.objects.editable_by(user).exists() is expected


# role -> (regions, towns, meetings) a user may point a row they write at (choosable_by)
CHOOSABLE = {
    "region_admin": ({"region"}, {"town", "other_town"}, {"region"}),
    "municipal_user": ({"region"}, {"town"}, set()),  # own town's region, never its meetings
    "other_region_user": ({"other_region"}, {"far_town"}, set()),
    "prefecture_user": (set(), set(), set()),
    "anonymous": (set(), set(), set()),
}


@pytest.mark.parametrize("role", CHOOSABLE)
def test_choices_come_from_the_edit_scope(role, user_for_role, request, db):
    from meetings.factories import MeetingFactory
    from meetings.models import Meeting

    places = {name: request.getfixturevalue(name) for name in ("region", "other_region")}
    towns = {name: request.getfixturevalue(name) for name in ("town", "other_town", "far_town")}
    meetings = {name: MeetingFactory(region=place) for name, place in places.items()}
    user = user_for_role(role)

    def names(queryset, rows):
        return {name for name, row in rows.items() if queryset.filter(pk=row.pk).exists()}

    assert (
        names(Region.objects.choosable_by(user), places),
        names(Municipality.objects.choosable_by(user), towns),
        names(Meeting.objects.choosable_by(user), meetings),
    ) == CHOOSABLE[role]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "whole"),
    [
        ("prefecture_user", True),
        ("region_admin", False),
        ("municipal_user", False),
        ("other_region_user", False),
        ("coordinator_user", False),
    ],
)
def test_only_who_reads_every_region_gets_prefecture_wide_totals(request, role, whole):
    from hokenfukushi.scope import reads_whole_prefectures

    assert reads_whole_prefectures(request.getfixturevalue(role)) is whole


@pytest.mark.django_db
def test_no_prefecture_wide_totals_for_a_user_without_scope_or_signed_out():
    from django.contrib.auth.models import AnonymousUser

    from hokenfukushi.factories import SuperuserFactory, UserFactory
    from hokenfukushi.scope import reads_whole_prefectures

    assert reads_whole_prefectures(SuperuserFactory())
    assert not reads_whole_prefectures(UserFactory())  # no role: reads nothing
    assert not reads_whole_prefectures(AnonymousUser())
