"""factory-boy factories for the region core (used by tests and benchmarks)."""

import datetime as dt

import factory

from hokenfukushi.codes import check_digit
from hokenfukushi.models import Municipality, PopulationSnapshot, Region, User


def code_for(sequence: int, prefecture: int = 99) -> str:
    """A valid 団体コード in the reserved range 99xxx (no real prefecture uses 99)."""
    first_five = f"{prefecture:02d}{sequence % 1000:03d}"
    return first_five + str(check_digit(first_five))


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"テスト圏域{n}")
    kana = "てすとけんいき"
    prefecture_name = "テスト県"
    prefecture_code = "990001"  # not a real prefecture: the reserved test range


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: code_for(n + 100))
    name = factory.Sequence(lambda n: f"テスト町{n}")
    kana = "てすとちょう"
    kind = Municipality.Kind.TOWN
    region = factory.SubFactory(RegionFactory)


class PopulationSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationSnapshot

    municipality = factory.SubFactory(MunicipalityFactory)
    as_of = dt.date(2025, 4, 1)
    population = 10000


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "test-password-123")
    role = User.Role.NONE

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RegionAdminFactory(UserFactory):
    role = User.Role.REGION_ADMIN
    region = factory.SubFactory(RegionFactory)
    is_staff = True


class MunicipalStaffFactory(UserFactory):
    role = User.Role.MUNICIPAL
    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SelfAttribute("municipality.region")
    is_staff = True


class PrefectureViewerFactory(UserFactory):
    role = User.Role.PREFECTURE


class CoordinatorAccountFactory(UserFactory):
    """A coordinator's account; tie it to a record with CoordinatorFactory(account=…)."""

    role = User.Role.COORDINATOR


class SuperuserFactory(UserFactory):
    is_superuser = True
    is_staff = True
