"""Attendance tables as the source draws them: coordinators and others, counted by affiliation.

Pure functions over plain values, so the counting rule is tested without a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest

from coordinators.models import DisabilityField, OrganizationKind, affiliation_label

# The order affiliations are listed in: the kinds as declared, commissioned centers by field.
_KIND_ORDER = {kind: index for index, kind in enumerate(OrganizationKind.values)}
_FIELD_ORDER = {"": -1} | {field: index for index, field in enumerate(DisabilityField.values)}


@dataclass(frozen=True)
class Participant:
    """One attendance: whether the person is a coordinator, and their organization's kind."""

    is_coordinator: bool
    kind: str
    field: str = ""


@dataclass(frozen=True)
class AffiliationCount:
    label: str
    count: int


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the side-by-side table (coordinators | others); either side may be empty."""

    coordinators: AffiliationCount | None
    others: AffiliationCount | None


@dataclass(frozen=True)
class AttendanceBreakdown:
    coordinators: tuple[AffiliationCount, ...] = ()
    others: tuple[AffiliationCount, ...] = ()

    @property
    def coordinator_total(self) -> int:
        return sum(item.count for item in self.coordinators)

    @property
    def other_total(self) -> int:
        return sum(item.count for item in self.others)

    @property
    def total(self) -> int:
        return self.coordinator_total + self.other_total

    @property
    def rows(self) -> list[AttendanceRow]:
        return [
            AttendanceRow(coordinators=left, others=right)
            for left, right in zip_longest(self.coordinators, self.others)
        ]

    def coordinator_counts(self) -> dict[str, int]:
        return {item.label: item.count for item in self.coordinators}

    def other_counts(self) -> dict[str, int]:
        return {item.label: item.count for item in self.others}


def _sort_key(kind_and_field: tuple[str, str]) -> tuple[int, int]:
    kind, field = kind_and_field
    return _KIND_ORDER.get(kind, len(_KIND_ORDER)), _FIELD_ORDER.get(field, len(_FIELD_ORDER))


def _counted(participants: Iterable[Participant]) -> tuple[AffiliationCount, ...]:
    counts = Counter(
        (p.kind, p.field if p.kind == OrganizationKind.COMMISSIONED else "") for p in participants
    )
    return tuple(
        AffiliationCount(label=affiliation_label(kind, field), count=counts[(kind, field)])
        for kind, field in sorted(counts, key=_sort_key)
    )


def attendance_breakdown(participants: Iterable[Participant]) -> AttendanceBreakdown:
    """Count coordinators and other participants by affiliation (行政, 委託相談(精神), 基幹, …)."""
    participants = list(participants)
    return AttendanceBreakdown(
        coordinators=_counted(p for p in participants if p.is_coordinator),
        others=_counted(p for p in participants if not p.is_coordinator),
    )


@dataclass(frozen=True)
class ReplyRow:
    """One affiliation's answers: how many said 出席 / 欠席 / 未定 / nothing yet."""

    label: str
    is_coordinator: bool
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


def reply_table(
    answers: Iterable[tuple[bool, str, str]], replies: Iterable[str]
) -> tuple[list[ReplyRow], tuple[int, ...]]:
    """(is_coordinator, affiliation label, reply) per invitee -> rows by affiliation
    (coordinators first, labels in order of appearance) with a count per reply in `replies`'
    order, and the column totals."""
    replies = list(replies)
    counts: dict[tuple[bool, str], Counter] = {}
    for is_coordinator, label, reply in answers:
        counts.setdefault((not is_coordinator, label), Counter())[reply] += 1
    rows = [
        ReplyRow(
            label=label,
            is_coordinator=not other,
            counts=tuple(counter[r] for r in replies),
        )
        for (other, label), counter in sorted(counts.items(), key=lambda kv: kv[0][0])
    ]
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(replies)))
    return rows, totals
