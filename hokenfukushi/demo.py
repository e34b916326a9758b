"""Demo data for the 児玉郡市 region, as given in the source presentation (shared/seed).

Everything here is idempotent: natural keys with update_or_create, so loading twice changes
nothing. Names of people are fictional and marked （デモ）.
"""

import datetime as dt

from django.db import transaction

from hokenfukushi.accounts import apply_role
from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    LocalResource,
    Municipality,
    PopulationSnapshot,
    Region,
    ResourceKind,
    User,
)

DEMO_MARK = "（デモ）"

KODAMA_TOWNS = (
    # code, name, kana, kind, population, as-of
    ("112119", "本庄市", "ほんじょうし", Municipality.Kind.CITY, 76218, dt.date(2025, 11, 1)),
    ("113816", "美里町", "みさとまち", Municipality.Kind.TOWN, 10592, dt.date(2025, 11, 1)),
    ("113832", "神川町", "かみかわまち", Municipality.Kind.TOWN, 12626, dt.date(2025, 11, 1)),
    ("113859", "上里町", "かみさとまち", Municipality.Kind.TOWN, 30437, dt.date(2025, 10, 1)),
)

# Not a secret: printed by `make run`, and load_demo refuses demo accounts when DEBUG is off.
DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105  # nosec B105

DEMO_ACCOUNTS = (
    # username, role, town code (None for region-level), display name
    ("center", User.Role.REGION_ADMIN, None, "基幹センター（デモ）"),
    ("honjo", User.Role.MUNICIPAL, "112119", "本庄市担当（デモ）"),
    ("misato", User.Role.MUNICIPAL, "113816", "美里町担当（デモ）"),
    ("kamikawa", User.Role.MUNICIPAL, "113832", "神川町担当（デモ）"),
    ("kamisato", User.Role.MUNICIPAL, "113859", "上里町担当（デモ）"),
    ("pref", User.Role.PREFECTURE, None, "埼玉県担当（デモ）"),
)


@transaction.atomic
def load_region_core() -> Region:
    region, _ = Region.objects.update_or_create(
        name="児玉郡市",
        defaults={
            "kana": "こだまぐんし",
            "prefecture_name": "埼玉県",
            "prefecture_code": "110001",
            "center_name": "児玉郡市障害者基幹相談支援センター",
        },
    )
    for code, name, kana, kind, population, as_of in KODAMA_TOWNS:
        town, _ = Municipality.objects.update_or_create(
            code=code, defaults={"name": name, "kana": kana, "kind": kind, "region": region}
        )
        PopulationSnapshot.objects.update_or_create(
            municipality=town,
            as_of=as_of,
            defaults={"population": population, "source": "住民基本台帳（発表資料より）"},
        )
    return region


@transaction.atomic
def load_demo_users(region: Region) -> list[User]:
    users = []
    for username, role, town_code, display_name in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.last_name = display_name
        town = Municipality.objects.get(code=town_code) if town_code else None
        users.append(
            apply_role(
                user=user,
                role=role,
                region=region if role == User.Role.REGION_ADMIN else None,
                municipality=town,
            )
        )
    return users


# Demo councils and local resources of 児玉郡市, as the source presentation lists them.
#
# - Council: none established yet; the four towns are studying a joint one (single or joint was
#   the open question at 第1回).
# - Resources: one multi-function office (児童発達支援, 放課後等デイサービス, 生活介護), one
#   nurse-staffed disability facility, one hospital taking adults for respite admission, and no
#   respite for children. Hospitals exist but rarely take medical-care patients, so none is
#   listed as accepting. Names are fictional and marked （デモ）; where in the region each one
#   is, the source does not say, so they are filed under 本庄市.
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
    """The region core's part of the demo (load_demo calls each app's `demo.load(region)`):
    the councils and local resources of 児玉郡市."""
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
