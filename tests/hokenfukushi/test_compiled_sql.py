"""compiled_sql: a compiled values_list gives exactly the ORM's rows, and the memo keeps SQL only,
bounded, and refuses keys that do not name the database."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import DecimalField, F, Q, Value
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hokenfukushi import compiled_sql
from hokenfukushi.compiled_sql import (
    NotCompilable,
    StaleKey,
    compile_count,
    compile_select,
    compiled,
    compiled_count,
)
from hokenfukushi.factories import MunicipalityFactory, PopulationSnapshotFactory
from hokenfukushi.models import Municipality, PopulationSnapshot, Region
from meetings.models import ActionItem, Meeting, MeetingStatus


@pytest.fixture(autouse=True)
def _fresh_memo():
    compiled_sql.clear()
    yield
    compiled_sql.clear()


@pytest.fixture
def meetings(region, other_region):
    for number, (reg, hour) in enumerate([(region, 9), (region, 14), (other_region, 23)], 1):
        Meeting.objects.create(
            region=reg,
            number=number,
            starts_at=timezone.make_aware(dt.datetime(2025, 6, number, hour, 30)),
            ends_at=None if number == 2 else timezone.make_aware(dt.datetime(2025, 6, 30)),
            status=MeetingStatus.HELD if number != 3 else MeetingStatus.PLANNED,
        )


@pytest.fixture
def snapshots(town, other_town, far_town):
    PopulationSnapshotFactory(municipality=town, population=20001, as_of=dt.date(2024, 10, 1))
    PopulationSnapshotFactory(municipality=town, population=19999, as_of=dt.date(2025, 10, 1))
    PopulationSnapshotFactory(municipality=far_town, population=7, as_of=dt.date(2025, 10, 1))


def _querysets():
    """values_list querysets whose columns need converting on some backend: aware datetimes
    (SQLite stores them naive), dates, decimals, booleans, nullable columns, joins, subqueries."""
    return [
        Meeting.objects.order_by("pk").values_list("pk", "starts_at", "ends_at", "status"),
        Meeting.objects.filter(status=MeetingStatus.HELD).values_list("starts_at", flat=True),
        PopulationSnapshot.objects.order_by("pk").values_list(
            "as_of",
            "municipality__region__is_synthetic",
            Cast("population", DecimalField(max_digits=12, decimal_places=2)),
        ),
        PopulationSnapshot.objects.annotate(
            share=Cast(F("population"), DecimalField(max_digits=12, decimal_places=3))
            / Value(Decimal("3"), output_field=DecimalField(max_digits=3, decimal_places=0))
        )
        .order_by("pk")
        .values_list("pk", "share"),
        Municipality.objects.with_latest_population()
        .order_by("code")
        .values_list("pk", "code", "population", "population_as_of", "region__is_synthetic"),
        Region.objects.filter(Q(pk__in=[]) | Q(name="x")).values_list("pk"),
        Region.objects.none().values_list("pk"),
        Region.objects.filter(pk__in=[]).values_list("name", flat=True),
        Region.objects.values_list("pk", "name")[1:],
    ]


@pytest.mark.django_db
def test_rows_are_what_the_orm_gives(meetings, snapshots):
    for queryset in _querysets():
        expected = list(queryset._chain())
        statement = compile_select(queryset)
        assert statement.rows() == expected
        assert list(statement.stream(chunk_size=2)) == expected
        assert [type(v) for row in statement.rows() for v in _values(row)] == [
            type(v) for row in expected for v in _values(row)
        ]


def _values(row):
    return row if isinstance(row, tuple) else (row,)


@pytest.mark.django_db
def test_datetimes_come_back_aware(meetings):
    (starts_at,) = compile_select(
        Meeting.objects.filter(number=1).values_list("starts_at", flat=True)
    ).rows()
    assert timezone.is_aware(starts_at)
    assert timezone.localtime(starts_at).hour == 9


@pytest.mark.django_db(transaction=True)
def test_stream_reads_through_the_chunked_cursor(region):
    """As `.iterator()` does: on PostgreSQL a server-side cursor, outside a transaction too."""
    towns = [MunicipalityFactory(region=region) for _ in range(5)]
    queryset = Municipality.objects.order_by("code").values_list("pk", "code")
    statement = compile_select(queryset)
    assert list(statement.stream(chunk_size=2)) == [
        (t.pk, t.code) for t in sorted(towns, key=lambda t: t.code)
    ]
    assert list(statement.stream(chunk_size=2)) == list(queryset.iterator(chunk_size=2))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("towns", "fetches"), [(5, 3), (4, 3), (1, 1), (0, 1)])
def test_stream_stops_after_a_short_chunk(region, monkeypatch, towns, fetches):
    # A chunk shorter than asked for is the last: one FETCH fewer per statement (a round trip
    # on PostgreSQL), every row still read.
    from django.db import connection

    for _ in range(towns):
        MunicipalityFactory(region=region)
    calls = []
    real = connection.chunked_cursor

    def counting_cursor():
        cursor = real()
        fetchmany = cursor.fetchmany
        cursor.fetchmany = lambda size: calls.append(size) or fetchmany(size)
        return cursor

    monkeypatch.setattr(connection, "chunked_cursor", counting_cursor)
    statement = compile_select(Municipality.objects.order_by("code").values_list("pk"))
    assert len(list(statement.stream(chunk_size=2))) == towns
    if connection.features.can_use_chunked_reads:
        assert len(calls) == fetches


@pytest.mark.django_db
def test_count_is_the_orms_count_statement(region, other_region):
    meeting = Meeting.objects.create(
        region=region, number=1, starts_at=timezone.now(), status=MeetingStatus.HELD
    )
    ActionItem.objects.create(raised_at=meeting, text="a")
    ActionItem.objects.create(raised_at=meeting, text="b", status="done")
    for queryset in (
        ActionItem.objects.all(),
        ActionItem.objects.open(),
        ActionItem.objects.filter(raised_at__region=other_region),
        ActionItem.objects.filter(pk__in=[]),
    ):
        with CaptureQueriesContext(connection) as orm:
            expected = queryset.count()
        statement = compile_count(queryset)
        with CaptureQueriesContext(connection) as ours:
            assert statement.rows() == [(expected,)]
        assert [q["sql"] for q in ours.captured_queries] == [q["sql"] for q in orm.captured_queries]


@pytest.mark.django_db
def test_what_cannot_be_compiled_is_refused(region):
    for queryset in (
        Region.objects.all(),
        Region.objects.values("pk"),
        Region.objects.values_list("pk", named=True),
        Region.objects.values_list("pk").prefetch_related("municipalities"),
        Region.objects.values_list("pk").select_for_update(),
        Region.objects.extra(select={"one": "1"}).values_list("pk", "one"),
    ):
        with pytest.raises(NotCompilable):
            compile_select(queryset)
    for queryset in (Region.objects.all()[:1], Region.objects.distinct()):
        with pytest.raises(NotCompilable):
            compile_count(queryset)


@pytest.mark.django_db
def test_the_memo_keeps_sql_never_rows(region):
    def build():
        return Municipality.objects.filter(region=region).values_list("name", flat=True)

    key = (connection.alias, "towns", region.pk)
    assert compiled(key, build).rows() == []
    MunicipalityFactory(region=region, name="新しい町")
    assert compiled(key, build).rows() == ["新しい町"]
    assert compiled_count(key, build).rows() == [(1,)]


@pytest.mark.django_db
def test_the_memo_builds_once_per_key(region, unverified):
    built = []

    def build():
        built.append(1)
        return Region.objects.values_list("pk", flat=True)

    for _ in range(3):
        assert compiled((connection.alias, "regions"), build).rows() == [region.pk]
    assert len(built) == 1


@pytest.mark.django_db
def test_the_key_must_start_with_the_database_alias():
    with pytest.raises(NotCompilable):
        compiled(("regions",), lambda: Region.objects.values_list("pk"))


@pytest.mark.django_db
def test_the_memo_is_bounded():
    for n in range(compiled_sql.MEMO_SIZE + 50):
        compiled((connection.alias, "n", n), lambda n=n: Region.objects.filter(pk=n).values_list())
        compiled_count((connection.alias, "n", n), lambda n=n: Region.objects.filter(pk=n))
    assert len(compiled_sql._memo) == compiled_sql.MEMO_SIZE
    assert len(compiled_sql._count_memo) == compiled_sql.MEMO_SIZE


@pytest.mark.django_db
def test_the_least_recently_used_statement_goes_first():
    memo = compiled_sql._Memo(size=2)
    keys = [(connection.alias, n) for n in range(3)]

    def build():
        return Region.objects.values_list("pk")

    memo.get(keys[0], build, compile_select)
    memo.get(keys[1], build, compile_select)
    memo.get(keys[0], build, compile_select)  # used again: keys[1] is now the oldest
    memo.get(keys[2], build, compile_select)
    assert list(memo._entries) == [keys[0], keys[2]]


@pytest.mark.django_db
def test_verification_catches_a_key_that_misses_an_input(region, other_region):
    picked = [region]

    def build():  # reads `picked`, which the key does not name
        return Municipality.objects.filter(region=picked[0]).values_list("pk")

    compiled_sql.set_verify(True)
    try:
        compiled((connection.alias, "towns"), build)
        picked[0] = other_region
        with pytest.raises(StaleKey):
            compiled((connection.alias, "towns"), build)
    finally:
        compiled_sql.set_verify(False)


@pytest.mark.django_db(transaction=True)
def test_the_memo_is_shared_between_threads_safely(region):
    errors = []

    def work(offset: int) -> None:
        try:
            for n in range(200):
                key = (connection.alias, "t", (n + offset) % 300)
                compiled(key, lambda n=n: Region.objects.filter(pk=n).values_list("pk"))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k * 97,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(compiled_sql._memo) <= compiled_sql.MEMO_SIZE
