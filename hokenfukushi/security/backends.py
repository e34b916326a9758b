"""The sign-in backend: Django's ModelBackend with a cheaper `get_user`.

`get_user` runs on every signed-in request: it is what makes a deactivated account stop working
at its next request, so it must read the row from the database each time. ModelBackend builds
and compiles a queryset for it every time, which was about a third of the CPU time of a cached
dashboard page. Here the same SELECT is compiled once per process and database, then executed
with the id; the row becomes a model instance exactly as the ORM would make it, and the same
`user_can_authenticate` check applies.

The same statement also reads the dashboard's data version (hokenfukushi/dashboard_cache.py),
which every dashboard request needs: one round trip to the database instead of two, which was
a tenth of what a cached dashboard page costs a server. The user carries it as
`data_version_at_load`; only a version read outside a transaction is kept, since inside one
the dashboard must also see the transaction's own pending writes."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Subquery

from dashboard.cache import version_text


@dataclass(frozen=True)
class _CompiledLookup:
    sql: str
    fields: tuple[str, ...]  # the model's fields; one more column follows: the data version
    # column position -> (the backend's converters, e.g. naive → aware datetimes on SQLite;
    # the column expression they are called with)
    converters: tuple[tuple[int, tuple, object], ...]

    def convert(self, row: tuple, connection: BaseDatabaseWrapper) -> list:
        values = list(row)
        for position, functions, expression in self.converters:
            for function in functions:
                values[position] = function(values[position], expression, connection)
        return values


@functools.cache
def _select_by_pk(alias: str, vendor: str) -> _CompiledLookup:
    """The ORM's own SELECT for `User.objects.get(pk=…)`, its columns and converters, with the
    data version as one more column."""
    from dashboard.models import DataVersion

    model = get_user_model()
    version = DataVersion.objects.filter(pk=1).values("version")
    queryset = model._default_manager.filter(pk=0).annotate(data_version=Subquery(version))
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params) != [1, 0]:  # the version row's id, then the user's
        raise RuntimeError(f"unexpected parameters for the user lookup: {params!r}")
    fields = tuple(field.attname for field in model._meta.concrete_fields)
    model_columns = [column.target.attname for column, _sql, _alias in compiler.select[:-1]]
    if model_columns != list(fields) or compiler.select[-1][2] != "data_version":
        raise RuntimeError("the user lookup does not select the model's fields, then the version")
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return _CompiledLookup(
        sql=sql,
        fields=fields,
        converters=tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in converters.items()
        ),
    )


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: object) -> Model | None:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        alias = router.db_for_read(model)
        connection = connections[alias]
        lookup = _select_by_pk(alias, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(lookup.sql, [1, pk])
            row = cursor.fetchone()
        if row is None:
            return None
        *values, version = lookup.convert(row, connection)
        user = model.from_db(alias, lookup.fields, values)
        if not connection.in_atomic_block:
            user.data_version_at_load = version_text(committed=version)
        return user if self.user_can_authenticate(user) else None
