"""Compile a values_list QuerySet once, run its SQL many times.

Building a QuerySet (filter, joins, clones) and compiling it (`compiler.as_sql()`) is pure
Python work that gives the same SQL and parameters every time the same inputs build it: on the
computed dashboard it was about a third of a request's CPU time, more than PostgreSQL took to
answer. `compile_select` keeps what the ORM would execute (SQL, parameters, database, the
backend's and fields' converters); `CompiledSelect.rows()` runs it and converts the rows exactly
as `list(queryset)` does, `stream()` as `queryset.iterator(chunk_size=…)` does.

`compiled(key, build)` memoizes per process. The rule that keeps it correct: **the key names
every input the queryset's construction reads** (the database alias first, then e.g. the
statement's name, the user's read scope, the region picked, the fiscal year). Anything else
read while building — the clock, settings, rows read earlier (ids in an IN list) — would be
frozen into the SQL of the first build and silently reused for other inputs; such a statement
must either put that input in the key or not be memoized. Only SQL is kept, never rows: a
write is seen by the next execution.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesListIterable
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE

# (column position, converter functions, the column expression they are called with)
Converter = tuple[int, tuple[Callable[..., Any], ...], Any]


class NotCompilable(ValueError):
    """The queryset's results are not the plain rows of one SELECT (or its key is not sound)."""


@dataclass(frozen=True)
class CompiledSelect:
    """One SELECT as the ORM would execute it. `sql` is None when the queryset can match no row:
    the ORM then runs nothing, and the rows are `when_empty` (none, or a count's zero)."""

    sql: str | None
    params: tuple
    alias: str
    converters: tuple[Converter, ...]
    flat: bool = False
    when_empty: tuple = ()

    def rows(self) -> list:
        """What `list(queryset)` gives: tuples, or single values for `flat=True`."""
        if self.sql is None:
            return list(self.when_empty)
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            fetched = cursor.fetchall()
        return self._converted(fetched)

    def stream(self, chunk_size: int = GET_ITERATOR_CHUNK_SIZE) -> Iterator:
        """What `queryset.iterator(chunk_size=…)` gives: rows read `chunk_size` at a time through
        `connection.chunked_cursor()` (a server-side cursor on PostgreSQL). Backends that cannot
        read in chunks (SQLite) read everything first, as the ORM does there."""
        if self.sql is None:
            yield from self.when_empty
            return
        connection = connections[self.alias]
        # As QuerySet.iterator(): a plain cursor where server-side ones are turned off (behind
        # a transaction-pooling pgbouncer).
        if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
            cursor = connection.cursor()
        else:
            cursor = connection.chunked_cursor()
        try:
            cursor.execute(self.sql, self.params)
        except Exception:
            cursor.close()
            raise
        try:
            if not connection.features.can_use_chunked_reads:
                fetched = cursor.fetchall()
                yield from self._converted(fetched)
                return
            while rows := cursor.fetchmany(chunk_size):
                yield from self._converted(rows)
                if len(rows) < chunk_size:
                    break  # a short chunk is the last: no round trip for a FETCH that says so
        finally:
            cursor.close()

    def _converted(self, fetched: list) -> list:
        if self.converters:
            connection = connections[self.alias]
            converted = []
            for row in fetched:
                values = list(row)
                for position, functions, expression in self.converters:
                    value = values[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    values[position] = value
                converted.append(values)
            fetched = converted
        if self.flat:
            return [row[0] for row in fetched]
        return [tuple(row) for row in fetched]


def compile_select(queryset: QuerySet) -> CompiledSelect:
    """The SQL, parameters and converters of a `values_list()` queryset (flat or not).

    Raises NotCompilable for anything whose results are more than one SELECT's converted rows:
    model instances and dicts (related objects, prefetches), named tuples, SELECT … FOR UPDATE
    (it belongs to a transaction), extra selected columns or composite fields."""
    if queryset._iterable_class not in (ValuesListIterable, FlatValuesListIterable):
        raise NotCompilable("only values_list() querysets can be compiled")
    if queryset._prefetch_related_lookups:
        raise NotCompilable("prefetch_related() runs more statements")
    query = queryset.query
    if query.select_for_update:
        raise NotCompilable("select_for_update() belongs to one transaction")
    if query.extra:
        raise NotCompilable("extra() selects are not supported")
    alias = queryset.db
    compiler = query.get_compiler(using=alias)
    flat = queryset._iterable_class is FlatValuesListIterable
    try:
        sql, params = compiler.as_sql()
        if not sql:
            raise EmptyResultSet
    except EmptyResultSet:
        return CompiledSelect(sql=None, params=(), alias=alias, converters=(), flat=flat)
    if compiler.has_extra_select:
        raise NotCompilable("the statement selects more columns than the rows have")
    fields = [column for column, _sql, _alias in compiler.select[0 : compiler.col_count]]
    if compiler.has_composite_fields(fields):
        raise NotCompilable("composite fields are not supported")
    return CompiledSelect(
        sql=sql,
        params=tuple(params),
        alias=alias,
        converters=_converters(compiler, fields),
        flat=flat,
    )


def compile_count(queryset: QuerySet) -> CompiledSelect:
    """`queryset.count()` as a SELECT of one row with one value (`rows()[0][0]`), the statement
    the ORM runs for it. Only plain filtered querysets: no slicing, DISTINCT, grouping,
    annotations or set operations (the ORM counts those through a subquery)."""
    query = queryset.query
    if (
        query.is_sliced
        or query.distinct
        or query.combinator
        or query.group_by is not None
        or query.annotations
        or query.extra
        or query.select_for_update
    ):
        raise NotCompilable("only plain filtered querysets can be counted here")
    alias = queryset.db
    query = query.chain()
    # What Query.get_aggregation does for such a query: the aggregate replaces the columns.
    count = Count("*").resolve_expression(query, allow_joins=True, reuse=None, summarize=True)
    query.select = ()
    query.selected = None
    query.default_cols = False
    query.extra = {}
    query.annotations = {"__count": count}
    query.set_annotation_mask(["__count"])
    query.clear_ordering(force=True)
    query.clear_limits()
    query.select_for_update = False
    query.select_related = False
    compiler = query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
        if not sql:
            raise EmptyResultSet
    except EmptyResultSet:
        # The ORM runs nothing and answers the aggregate's empty value.
        return CompiledSelect(
            sql=None,
            params=(),
            alias=alias,
            converters=(),
            when_empty=((count.empty_result_set_value,),),
        )
    return CompiledSelect(
        sql=sql,
        params=tuple(params),
        alias=alias,
        converters=_converters(compiler, list(query.annotation_select.values())),
    )


def _converters(compiler: Any, expressions: list) -> tuple[Converter, ...]:
    return tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(expressions).items()
    )


class StaleKey(AssertionError):
    """A memoized statement differs from a fresh build under the same key: the key misses an
    input (raised only while verification is on, in tests)."""


class _Memo:
    """A bounded LRU of compiled statements, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.verify = False
        self._entries: OrderedDict[tuple, CompiledSelect] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        key: tuple[Hashable, ...],
        build: Callable[[], QuerySet],
        compile: Callable[[QuerySet], CompiledSelect],
    ) -> CompiledSelect:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        if found is not None:
            if self.verify:
                fresh = compile(build())
                if (fresh.sql, fresh.params, fresh.alias) != (found.sql, found.params, found.alias):
                    raise StaleKey(f"{key!r} no longer builds the statement memoized for it")
            return found
        # Built outside the lock: two threads may both build a new key; they get equal values.
        statement = compile(build())
        if not key or key[0] != statement.alias:
            raise NotCompilable(
                f"the key must start with the database alias ({statement.alias!r}): {key!r}"
            )
        with self._lock:
            self._entries[key] = statement
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return statement

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# A dashboard statement per (statement, read scope, region, year): a few hundred cover every
# scope of a prefecture many times over; an entry is a few KB at most.
MEMO_SIZE = 256
_memo = _Memo(MEMO_SIZE)
_count_memo = _Memo(MEMO_SIZE)


def compiled(key: tuple[Hashable, ...], build: Callable[[], QuerySet]) -> CompiledSelect:
    """`compile_select(build())`, memoized per process under `key`.

    `key[0]` must be the database alias the queryset reads (checked), and the rest of the key
    must name every other input `build` reads (not checkable here; see the module docstring).
    `build` runs only when the key is new (or, in tests, to verify the memoized SQL)."""
    return _memo.get(key, build, compile_select)


def compiled_count(key: tuple[Hashable, ...], build: Callable[[], QuerySet]) -> CompiledSelect:
    """`compile_count(build())`, memoized like `compiled` (in a memo of its own, so a count and
    a select may share a key)."""
    return _count_memo.get(key, build, compile_count)


def clear() -> None:
    """Forget every compiled statement (tests; nothing else needs to: only SQL is kept)."""
    _memo.clear()
    _count_memo.clear()


def set_verify(on: bool) -> None:
    """While on, every memo hit rebuilds and compares its statement (tests)."""
    _memo.verify = on
    _count_memo.verify = on
