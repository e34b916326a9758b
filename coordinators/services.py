"""Writes a coordinator makes on their own pages: the profile and the activity log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from coordinators.models import Activity, Coordinator, CoordinatorTopic
from coordinators.rules import activity_errors, topic_errors
from hokenfukushi.models import Municipality


@transaction.atomic
def update_profile(
    *,
    coordinator: Coordinator,
    training_fiscal_year: int,
    experience: str,
    municipalities: Iterable[Municipality],
    topics: Iterable[str],
    consultation_other: str,
    work_email: str,
    work_phone: str,
    contact_visibility: str,
    contact_consent: bool,
    today: dt.date,
) -> Coordinator:
    """The coordinator's own profile, towns and 相談できること in one transaction. Consent keeps
    the date it was first given; withdrawing it hides the contact everywhere at once."""
    topics = sorted(set(topics))
    towns = list(municipalities)
    errors = topic_errors(topics=topics, other_text=consultation_other)
    outside = [t for t in towns if t.region_id != coordinator.organization.region_id]
    if outside:
        errors["municipalities"] = "自分の圏域の市町村だけを選んでください。"
    if errors:
        raise ValidationError(errors)
    coordinator.training_fiscal_year = training_fiscal_year
    coordinator.experience = experience
    if experience == "none":
        coordinator.medical_care_cases = None
    coordinator.consultation_other = consultation_other.strip()
    coordinator.work_email = work_email
    coordinator.work_phone = work_phone
    coordinator.contact_visibility = contact_visibility
    if not contact_consent:
        coordinator.contact_consent_on = None
    elif coordinator.contact_consent_on is None:
        coordinator.contact_consent_on = today
    coordinator.full_clean(exclude=["account"])
    coordinator.save()
    coordinator.municipalities.set(towns)
    CoordinatorTopic.objects.filter(coordinator=coordinator).exclude(topic__in=topics).delete()
    CoordinatorTopic.objects.bulk_create(
        [CoordinatorTopic(coordinator=coordinator, topic=topic) for topic in topics],
        ignore_conflicts=True,
    )
    return coordinator


def record_activity(
    *,
    coordinator: Coordinator,
    done_on: dt.date,
    kind: str,
    consulted_by: str,
    method: str,
    municipality: Municipality,
    person_kind: str,
    continuity: str,
    age_band: str,
    today: dt.date,
) -> Activity:
    """One activity entry; refused with field errors for a future date, a town outside the
    coordinator's region, or an age that contradicts 児・者."""
    errors = activity_errors(
        done_on=done_on,
        today=today,
        town_region_id=municipality.region_id,
        coordinator_region_id=coordinator.organization.region_id,
        person_kind=person_kind,
        age_band=age_band,
    )
    if errors:
        raise ValidationError(errors)
    activity = Activity(
        coordinator=coordinator,
        done_on=done_on,
        kind=kind,
        consulted_by=consulted_by,
        method=method,
        municipality=municipality,
        person_kind=person_kind,
        continuity=continuity,
        age_band=age_band,
    )
    activity.full_clean()
    activity.save()
    return activity
