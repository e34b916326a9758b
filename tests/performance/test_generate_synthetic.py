from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.management.commands.generate_synthetic import Command as GenerateSynthetic
from benchmarks.synthetic import MAX_TOWNS, synthetic_code, towns_per_region
from caseload.models import CountReport, ReportStatus
from coordinators.models import Coordinator
from hokenfukushi.codes import is_valid_code
from hokenfukushi.models import Municipality, PopulationSnapshot, Region
from meetings.models import ActionItem, Attendance, Meeting


@given(st.integers(min_value=0, max_value=MAX_TOWNS - 1))
def test_synthetic_codes_are_valid_and_in_the_reserved_range(index):
    code = synthetic_code(index)
    assert is_valid_code(code)
    assert 90 <= int(code[:2]) <= 97
    assert code[2:5] != "000"  # xx000 is a prefecture's own code


def test_synthetic_codes_never_repeat():
    codes = [synthetic_code(i) for i in range(MAX_TOWNS)]
    assert len(set(codes)) == MAX_TOWNS


def test_there_is_no_synthetic_code_beyond_the_reserved_range():
    with pytest.raises(ValueError):
        synthetic_code(MAX_TOWNS)


@given(st.integers(min_value=1, max_value=400), st.integers(min_value=0, max_value=3000))
def test_towns_are_spread_evenly_over_regions(regions, extra):
    sizes = towns_per_region(regions=regions, towns=regions + extra)
    assert len(sizes) == regions
    assert sum(sizes) == regions + extra
    assert max(sizes) - min(sizes) <= 1
    assert min(sizes) >= 1


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_generates_marked_towns_with_ten_years_of_approved_reports(debug_on):
    call_command(GenerateSynthetic(), regions=3, towns=11, years=10, stdout=StringIO())

    regions = Region.objects.filter(is_synthetic=True)
    assert regions.count() == 3
    assert all(r.name.startswith("【合成】") for r in regions)
    towns = Municipality.objects.filter(region__is_synthetic=True)
    assert towns.count() == 11
    assert all(t.name.startswith("【合成】") and is_valid_code(t.code) for t in towns)
    reports = CountReport.objects.filter(municipality__in=towns)
    assert reports.count() == 110
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.APPROVED}
    assert reports.values("fiscal_year").distinct().count() == 10
    assert PopulationSnapshot.objects.filter(municipality__in=towns).count() == 110
    assert Coordinator.objects.filter(organization__region__in=regions).count() == 2 * 3 + 2 * 11
    assert Meeting.objects.filter(region__in=regions).count() == 3 * 10 * 4
    assert Attendance.objects.filter(meeting__region__in=regions).exists()
    assert ActionItem.objects.filter(raised_at__region__in=regions).exists()


@pytest.mark.django_db
def test_towns_per_region_gives_regions_times_towns(debug_on):
    call_command(GenerateSynthetic(), regions=2, towns_per_region=3, years=1, stdout=StringIO())
    assert Municipality.objects.filter(region__is_synthetic=True).count() == 6


@pytest.mark.django_db
def test_a_second_run_replaces_synthetic_data_and_leaves_other_data_alone(debug_on, town):
    call_command(GenerateSynthetic(), regions=2, towns=8, years=2, stdout=StringIO())
    call_command(GenerateSynthetic(), regions=1, towns=4, years=3, stdout=StringIO())

    assert Region.objects.filter(is_synthetic=True).count() == 1
    assert Municipality.objects.filter(region__is_synthetic=True).count() == 4
    assert CountReport.objects.count() == 12
    assert Municipality.objects.filter(pk=town.pk).exists()


@pytest.mark.django_db
def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=True"):
        call_command(GenerateSynthetic(), regions=1, towns=4, years=1, stdout=StringIO())
    assert not Region.objects.filter(is_synthetic=True).exists()


@pytest.mark.django_db
def test_too_many_towns_is_a_clear_error(debug_on):
    with pytest.raises(CommandError, match="reserved code range"):
        call_command(
            GenerateSynthetic(), regions=1, towns=MAX_TOWNS + 1, years=1, stdout=StringIO()
        )


@pytest.mark.django_db
def test_accounts_of_synthetic_regions_go_with_them_even_after_signing_in(debug_on, client):
    from hokenfukushi.factories import RegionAdminFactory
    from hokenfukushi.models import User

    call_command(GenerateSynthetic(), regions=1, towns=4, years=1, stdout=StringIO())
    account = RegionAdminFactory(region=Region.objects.get(is_synthetic=True))
    client.force_login(account)  # leaves login records that point at the account
    client.get("/")

    call_command(GenerateSynthetic(), regions=1, towns=4, years=1, stdout=StringIO())
    assert not User.objects.filter(pk=account.pk).exists()
