"""hokenfukushi.security.backends.ModelBackend.get_user: the user of every signed-in request,
read with SQL compiled once. It must give exactly what Django's ModelBackend gives."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from caseload.factories import CountReportFactory
from dashboard.cache import data_version
from hokenfukushi.factories import MunicipalStaffFactory, RegionAdminFactory
from hokenfukushi.models import User
from hokenfukushi.security.backends import ModelBackend


def _values(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [MunicipalStaffFactory, RegionAdminFactory])
def test_the_same_user_as_djangos_backend(factory, django_assert_num_queries):
    user = factory(first_name="花子", last_name="埼玉")
    expected = DjangoModelBackend().get_user(user.pk)
    with django_assert_num_queries(1):
        got = ModelBackend().get_user(user.pk)
    assert _values(got) == _values(expected)
    assert got._state.adding is False and got._state.db == "default"
    assert got.municipality == user.municipality  # relations load as usual
    got.first_name = "次子"
    got.save(update_fields=["first_name"])  # a normal instance: it can be saved
    assert User.objects.get(pk=user.pk).first_name == "次子"


@pytest.mark.django_db
def test_no_user_for_an_unknown_a_malformed_or_an_inactive_id(region):
    inactive = RegionAdminFactory(region=region, is_active=False)
    backend = ModelBackend()
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(inactive.pk + 1000) is None
    assert backend.get_user("not-a-number") is None


@pytest.mark.django_db
def test_deactivated_by_a_bulk_update_is_signed_out_at_the_next_request(client_for, region):
    admin = RegionAdminFactory(region=region)
    client = client_for(admin)
    assert client.get("/").status_code == 200
    User.objects.filter(pk=admin.pk).update(is_active=False)  # no signal, no save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_the_user_comes_with_the_data_version_of_the_moment(town, region):
    # The dashboard takes the version from the request's user (one statement for both), so it
    # must be the version of the moment the user was read, and move with every committed write.
    admin = RegionAdminFactory(region=region)
    backend = ModelBackend()
    before = backend.get_user(admin.pk).data_version_at_load
    assert before == data_version()
    CountReportFactory(municipality=town)
    after = backend.get_user(admin.pk).data_version_at_load
    assert after != before and after == data_version()


@pytest.mark.django_db
def test_inside_a_transaction_the_user_carries_no_version(region):
    # There the dashboard must also see the transaction's own writes: it reads the version itself.
    admin = RegionAdminFactory(region=region)
    assert not hasattr(ModelBackend().get_user(admin.pk), "data_version_at_load")
