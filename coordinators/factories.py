"""factory-boy factories for organizations and coordinators (tests, benchmarks)."""

import datetime as dt

import factory

from coordinators.models import (
    Activity,
    ActivityKind,
    ActivityMethod,
    AgeBand,
    BaseProfession,
    Consulter,
    Continuity,
    Coordinator,
    Experience,
    Organization,
    OrganizationKind,
    PersonKind,
)
from hokenfukushi.factories import MunicipalityFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"テスト相談支援事業所{n}")
    kind = OrganizationKind.PLANNED_CONSULTATION
    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.LazyAttribute(lambda o: o.municipality.region)


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"テスト 太郎{n}")
    kana = factory.Sequence(lambda n: f"てすと たろう{n:04d}")
    organization = factory.SubFactory(OrganizationFactory)
    base_profession = BaseProfession.CONSULTATION_SPECIALIST
    training_fiscal_year = 2024
    experience = Experience.NONE

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        """Covers the given towns; by default the organization's own town."""
        if not create:
            return
        towns = extracted if extracted is not None else [self.organization.municipality]
        self.municipalities.set([town for town in towns if town is not None])


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    coordinator = factory.SubFactory(CoordinatorFactory)
    done_on = factory.LazyFunction(lambda: dt.date(2025, 10, 15))
    kind = ActivityKind.INDIVIDUAL
    consulted_by = Consulter.FAMILY
    method = ActivityMethod.PHONE
    municipality = factory.LazyAttribute(lambda o: o.coordinator.organization.municipality)
    person_kind = PersonKind.CHILD
    continuity = Continuity.NEW
    age_band = AgeBand.PRESCHOOL
