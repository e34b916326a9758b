"""Demo councils and local resources of 児玉郡市, as the source presentation lists them.

- Council: none established yet; the four towns are studying a joint one (single or joint was
  the open question at 第1回).
- Resources: one multi-function office (児童発達支援, 放課後等デイサービス, 生活介護), one
  nurse-staffed disability facility, one hospital taking adults for respite admission, and no
  respite for children. Hospitals exist but rarely take medical-care patients, so none is
  listed as accepting. Names are fictional and marked （デモ）; where in the region each one
  is, the source does not say, so they are filed under 本庄市.
"""

from django.db import transaction

from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    LocalResource,
    Municipality,
    Region,
    ResourceKind,
)

DEMO_NOTE = "デモデータ（名称は架空）"
HONJO = "112119"

COUNCIL_NAME = "児玉郡市 医療的ケア児等支援のための協議の場（デモ）"

# name, kind, serves children, serves adults, accepts medical care, multi-function, notes
RESOURCES = (
    (
        "多機能型事業所こだまの森（デモ）",
        ResourceKind.CHILD_DEVELOPMENT,
        True,
        False,
        False,
        True,
        "",
    ),
    ("多機能型事業所こだまの森（デモ）", ResourceKind.AFTER_SCHOOL, True, False, False, True, ""),
    (
        "多機能型事業所こだまの森（デモ）",
        ResourceKind.DAILY_LIFE_CARE,
        False,
        True,
        False,
        True,
        "",
    ),
    (
        "障害者支援施設あさひ（デモ）",
        ResourceKind.NURSE_STAFFED_FACILITY,
        False,
        True,
        True,
        False,
        "看護師常駐",
    ),
    (
        "こだま中央病院（デモ）",
        ResourceKind.RESPITE,
        False,
        True,
        True,
        False,
        "レスパイト入院（者）が可能",
    ),
)


@transaction.atomic
def load(region: Region) -> None:
    towns = list(Municipality.objects.filter(region=region))
    council, _ = Council.objects.update_or_create(
        region=region,
        name=COUNCIL_NAME,
        defaults={
            "form": CouncilForm.JOINT,
            "status": CouncilStatus.PLANNING,
            "status_date": None,
            "notes": "1市3町で共同設置か単独設置かを検討中。" + DEMO_NOTE,
        },
    )
    council.municipalities.set(towns)
    honjo = Municipality.objects.get(code=HONJO)
    for name, kind, children, adults, medical, multifunction, notes in RESOURCES:
        LocalResource.objects.update_or_create(
            municipality=honjo,
            name=name,
            kind=kind,
            defaults={
                "serves_children": children,
                "serves_adults": adults,
                "accepts_medical_care": medical,
                "is_multifunction": multifunction,
                "notes": "。".join(filter(None, [notes, DEMO_NOTE])),
            },
        )
