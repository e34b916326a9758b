"""つながり: who has met whom at the meetings, and how the network grew meeting by meeting.

The source's lesson is that meeting face to face builds the network, so "met" means "attended
the same held meeting". Pure functions over plain values (no database), tested on their own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class MeetingAttendees:
    """Who was at one held meeting: coordinators and the organizations present (any attendee)."""

    meeting_id: int
    label: str
    held_on: dt.date
    coordinator_ids: frozenset[int]
    organization_ids: frozenset[int]


@dataclass(frozen=True)
class GrowthStep:
    """The network after a meeting: pairs who have met at least once so far (cumulative)."""

    label: str
    held_on: dt.date
    coordinators_present: int
    coordinator_pairs: int
    new_coordinator_pairs: int
    organization_pairs: int
    new_organization_pairs: int


@dataclass(frozen=True)
class CoordinatorContact:
    meetings_attended: int
    last_met_on: dt.date | None


def pairs_of(members: Iterable[Hashable]) -> set[frozenset]:
    """Every unordered pair of distinct members."""
    return {frozenset(pair) for pair in combinations(set(members), 2)}


def network_growth(meetings: Sequence[MeetingAttendees]) -> list[GrowthStep]:
    """Cumulative coordinator pairs and organization pairs after each meeting, in date order."""
    coordinator_pairs: set[frozenset] = set()
    organization_pairs: set[frozenset] = set()
    steps = []
    for meeting in sorted(meetings, key=lambda m: (m.held_on, m.meeting_id)):
        new_coordinators = pairs_of(meeting.coordinator_ids) - coordinator_pairs
        new_organizations = pairs_of(meeting.organization_ids) - organization_pairs
        coordinator_pairs |= new_coordinators
        organization_pairs |= new_organizations
        steps.append(
            GrowthStep(
                label=meeting.label,
                held_on=meeting.held_on,
                coordinators_present=len(meeting.coordinator_ids),
                coordinator_pairs=len(coordinator_pairs),
                new_coordinator_pairs=len(new_coordinators),
                organization_pairs=len(organization_pairs),
                new_organization_pairs=len(new_organizations),
            )
        )
    return steps


def coordinator_contacts(
    meetings: Iterable[MeetingAttendees], coordinator_ids: Iterable[int]
) -> dict[int, CoordinatorContact]:
    """For each coordinator: meetings attended and the last time they met the network."""
    attended: Counter[int] = Counter()
    last: dict[int, dt.date] = {}
    for meeting in meetings:
        for pk in meeting.coordinator_ids:
            attended[pk] += 1
            if pk not in last or meeting.held_on > last[pk]:
                last[pk] = meeting.held_on
    return {
        pk: CoordinatorContact(meetings_attended=attended[pk], last_met_on=last.get(pk))
        for pk in coordinator_ids
    }


def shared_meetings(meetings: Iterable[MeetingAttendees]) -> Counter[frozenset]:
    """How many meetings each pair of organizations attended together (the matrix's cells)."""
    together: Counter[frozenset] = Counter()
    for meeting in meetings:
        together.update(pairs_of(meeting.organization_ids))
    return together


def organization_matrix(
    meetings: Sequence[MeetingAttendees], organization_ids: Sequence[int]
) -> list[list[int | None]]:
    """Square matrix in the given order: meetings shared by row and column; None on the
    diagonal (an organization meeting itself means nothing)."""
    together = shared_meetings(meetings)
    return [
        [None if row == col else together[frozenset((row, col))] for col in organization_ids]
        for row in organization_ids
    ]


@dataclass(frozen=True)
class SharedAttendance:
    """The meetings two coordinators attended together, and the last of them."""

    meetings: int
    last_label: str | None
    last_held_on: dt.date | None


def shared_with(
    meetings: Iterable[MeetingAttendees], coordinator_id: int
) -> dict[int, SharedAttendance]:
    """For one coordinator: every other coordinator they have met at a held meeting, with how
    many meetings they attended together and the last one (those never met are absent)."""
    together: Counter[int] = Counter()
    last: dict[int, MeetingAttendees] = {}
    for meeting in meetings:
        if coordinator_id not in meeting.coordinator_ids:
            continue
        for other in meeting.coordinator_ids - {coordinator_id}:
            together[other] += 1
            if other not in last or (meeting.held_on, meeting.meeting_id) > (
                last[other].held_on,
                last[other].meeting_id,
            ):
                last[other] = meeting
    return {
        other: SharedAttendance(count, last[other].label, last[other].held_on)
        for other, count in together.items()
    }
