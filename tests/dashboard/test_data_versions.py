"""Which data-version counters a page depends on (`DataVersion.objects.shown_on_page`): the
regions the viewer reads by the one scope rule, narrowed to a picked region, plus the counter of
rows of no single region, as each role."""

import pytest

from dashboard.models import EVERY_REGION, DataVersion


@pytest.fixture
def counters(region, other_region):
    DataVersion.objects.all().delete()
    for region_id in (EVERY_REGION, region.pk, other_region.pk):
        DataVersion.objects.create(region_id=region_id, version=1)


def _shown(user, region=None) -> set[int]:
    return set(
        DataVersion.objects.shown_on_page(user, region=region).values_list("region_id", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "reads_other_region"),
    [
        ("region_admin", False),
        ("municipal_user", False),
        ("other_town_user", False),
        ("coordinator_user", False),
        ("prefecture_user", True),
        ("superuser", True),
    ],
)
def test_a_page_depends_on_the_regions_its_viewer_reads(
    request, counters, region, other_region, role, reads_other_region
):
    user = request.getfixturevalue(role)
    expected = {EVERY_REGION, region.pk} | ({other_region.pk} if reads_other_region else set())
    assert _shown(user) == expected


@pytest.mark.django_db
def test_a_user_of_another_region_depends_on_theirs_only(counters, region, other_region, request):
    user = request.getfixturevalue("other_region_user")
    assert _shown(user) == {EVERY_REGION, other_region.pk}


@pytest.mark.django_db
def test_picking_a_region_narrows_to_it(counters, region, other_region, prefecture_user):
    assert _shown(prefecture_user, region) == {EVERY_REGION, region.pk}
    assert _shown(None, other_region) == {EVERY_REGION, other_region.pk}


@pytest.mark.django_db
def test_without_a_user_every_counter_counts(counters, region, other_region):
    assert _shown(None) == {EVERY_REGION, region.pk, other_region.pk}


@pytest.mark.django_db
def test_someone_who_reads_nothing_depends_on_the_shared_counter_only(counters, anonymous):
    assert _shown(anonymous) == {EVERY_REGION}
