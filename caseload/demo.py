"""Demo count reports: the FY2025 figures of the source presentation, as approved reports.

Idempotent (one report per town and as-of date, updated in place). The note marks them demo."""

import datetime as dt

from django.db import transaction

from caseload.models import CountReport, ReportStatus
from hokenfukushi.demo import DEMO_MARK
from hokenfukushi.models import Municipality, Region

DEMO_AS_OF = dt.date(2025, 4, 1)
DEMO_SUBMITTED_AT = dt.datetime(2025, 5, 9, 10, 0, tzinfo=dt.UTC)
DEMO_APPROVED_AT = dt.datetime(2025, 5, 16, 10, 0, tzinfo=dt.UTC)

# town code -> (SMID children, medical-care children, SMID adults, medical-care adults)
FY2025_COUNTS = {
    "112119": (6, 4, 36, 2),  # 本庄市
    "113816": (0, 1, 0, 0),  # 美里町
    "113832": (1, 0, 2, 0),  # 神川町
    "113859": (0, 0, 4, 0),  # 上里町
}


@transaction.atomic
def load(region: Region) -> list[CountReport]:
    reports = []
    towns = {town.code: town for town in Municipality.objects.filter(region=region)}
    for code, (smid_c, medical_c, smid_a, medical_a) in FY2025_COUNTS.items():
        report, _ = CountReport.objects.update_or_create(
            municipality=towns[code],
            as_of=DEMO_AS_OF,
            defaults={
                "smid_children": smid_c,
                "medical_care_children": medical_c,
                "smid_adults": smid_a,
                "medical_care_adults": medical_a,
                "status": ReportStatus.APPROVED,
                "submitted_at": DEMO_SUBMITTED_AT,
                "approved_at": DEMO_APPROVED_AT,
                "note": f"{DEMO_MARK} 発表資料（令和7年4月1日時点）の数値です。",
            },
        )
        reports.append(report)
    return reports
