"""Invariants held by the database itself, whatever path the data comes in by."""

import pytest
from django.db import IntegrityError

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import BaseProfession, Experience


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"base_profession": BaseProfession.OTHER, "base_profession_other": ""},
        {"base_profession": BaseProfession.NURSE, "base_profession_other": "理学療法士"},
        {"experience": Experience.NONE, "medical_care_cases": 2},
        {"training_fiscal_year": 2015},
    ],
)
def test_database_refuses(fields):
    with pytest.raises(IntegrityError):
        CoordinatorFactory(**fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"base_profession": BaseProfession.OTHER, "base_profession_other": "理学療法士"},
        {"experience": Experience.NONE, "medical_care_cases": 0},
        {"experience": Experience.DIRECT, "medical_care_cases": 4},
    ],
)
def test_database_accepts(fields):
    CoordinatorFactory(**fields)


@pytest.mark.django_db
def test_only_commissioned_centers_have_a_field():
    with pytest.raises(IntegrityError):
        OrganizationFactory(kind="planned", field="mental")
