"""The demo roster reproduces the source: 16 coordinators, R1–R7 = 1,1,1,1,6,6, the remarks on
experience, and the organizations that attended the three meetings."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client

from coordinators.models import Coordinator, Experience, Organization, OrganizationKind
from hokenfukushi.models import User


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_center_sees_sixteen_and_the_source_table(demo):
    context = _as("center").get("/coordinators/").context
    assert [(r.fiscal_year, r.count, r.cumulative) for r in context["training_years"]] == [
        (2019, 1, 1),
        (2021, 1, 2),
        (2022, 1, 3),
        (2023, 1, 4),
        (2024, 6, 10),
        (2025, 6, 16),
    ]
    assert context["total"] == 16
    assert len(context["roster"]) == 16
    assert context["uncovered_towns"] == []
    page = _as("center").get("/coordinators/").content.decode()
    assert "令和元年度" in page and "令和7年度" in page


def test_experience_matches_the_remarks(demo):
    direct = Coordinator.objects.filter(experience=Experience.DIRECT)
    assert [c.organization.department for c in direct] == ["こども課"]
    planned = Coordinator.objects.filter(experience=Experience.PLANNED_CONSULTATION).count()
    assert planned in (2, 3)
    assert Coordinator.objects.filter(experience=Experience.NONE).count() == 16 - 1 - planned


def test_every_person_and_organization_is_marked_demo(demo):
    assert all("（デモ）" in name for name in Coordinator.objects.values_list("name", flat=True))
    assert all("デモ" in c.notes for c in Coordinator.objects.all())
    assert all("デモ" in notes for notes in Organization.objects.values_list("notes", flat=True))


def test_affiliations_can_fill_the_third_meeting(demo):
    """第3回: 委託相談(知的)2, 行政4, 委託相談(精神)2, 計画相談2, 基幹2 coordinators attended."""
    available = Counter(c.organization.affiliation for c in Coordinator.objects.all())
    needed = {"委託相談(知的)": 2, "行政": 4, "委託相談(精神)": 2, "計画相談": 2, "基幹": 2}
    for affiliation, count in needed.items():
        assert available[affiliation] >= count, affiliation
    base = Coordinator.objects.filter(organization__kind=OrganizationKind.BASE_CENTER)
    assert base.count() == 2 and all(c.is_base_center_staff for c in base)
