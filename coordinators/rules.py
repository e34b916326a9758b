"""The activity log's and the profile's rules as pure functions (field -> Japanese message)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coordinators.models import AgeBand, ConsultationTopic, Experience, PersonKind


def activity_errors(
    *,
    done_on: dt.date,
    today: dt.date,
    town_region_id: int,
    coordinator_region_id: int,
    person_kind: str,
    age_band: str,
) -> dict[str, str]:
    """Why an activity entry cannot be recorded (empty: it can)."""
    errors: dict[str, str] = {}
    if done_on > today:
        errors["done_on"] = "未来の日付は記録できません。活動した日を入力してください。"
    if town_region_id != coordinator_region_id:
        errors["municipality"] = "自分の圏域の市町村を選んでください。"
    if (person_kind == PersonKind.ADULT) != (age_band == AgeBand.ADULT):
        errors["age_band"] = "「者」は18歳以上、「児」は18歳未満の年齢を選んでください。"
    return errors


def topic_errors(*, topics: Iterable[str], other_text: str) -> dict[str, str]:
    """その他 needs its description, and a description needs その他."""
    chosen = set(topics)
    if ConsultationTopic.OTHER in chosen and not other_text.strip():
        return {"consultation_other": "「その他」を選んだときは、その内容を入力してください。"}
    if other_text.strip() and ConsultationTopic.OTHER not in chosen:
        return {"consultation_other": "内容を入力するときは「その他」も選んでください。"}
    return {}


@dataclass(frozen=True)
class ExperienceStep:
    """The experience level from a date on (the profile's growth over time)."""

    since: dt.datetime
    experience: str

    @property
    def label(self) -> str:
        return str(Experience(self.experience).label)


def experience_steps(history: Sequence[tuple[dt.datetime, str]]) -> list[ExperienceStep]:
    """The record's history (date, experience) oldest first, reduced to the changes."""
    steps: list[ExperienceStep] = []
    for when, experience in sorted(history, key=lambda row: row[0]):
        if not steps or steps[-1].experience != experience:
            steps.append(ExperienceStep(when, experience))
    return steps
