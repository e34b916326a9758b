"""Demo organizations and the 16 coordinators of 児玉郡市 (fictional people, marked （デモ）).

Consistent with the source presentation:
- training fiscal years FY2019 1, FY2021 1, FY2022 1, FY2023 1, FY2024 6, FY2025 6 (16 in all);
- one こども課 coordinator with direct experience, three involved through planned consultation,
  the rest none;
- twelve of them attended the meetings (see meetings.demo), four never have.
Other modules (meetings.demo) refer to these organizations and people by name: keep names stable.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from coordinators.models import (
    Activity,
    BaseProfession,
    ContactVisibility,
    Coordinator,
    CoordinatorTopic,
    DisabilityField,
    Experience,
    Organization,
    OrganizationKind,
    TrainingCourse,
)
from hokenfukushi.accounts import apply_role
from hokenfukushi.demo import DEMO_PASSWORD
from hokenfukushi.fiscal import fiscal_quarter_of
from hokenfukushi.models import Municipality, Region, User

HONJO, MISATO, KAMIKAWA, KAMISATO = "112119", "113816", "113832", "113859"

# key, name, kind, department, field, town code (None: region-wide or outside the region)
ORGANIZATIONS = (
    (
        "base",
        "児玉郡市障害者基幹相談支援センター（デモ）",
        OrganizationKind.BASE_CENTER,
        "",
        "",
        None,
    ),
    ("honjo_kodomo", "本庄市 こども課（デモ）", OrganizationKind.GOVERNMENT, "こども課", "", HONJO),
    (
        "honjo_fukushi",
        "本庄市 障害福祉課（デモ）",
        OrganizationKind.GOVERNMENT,
        "障害福祉課",
        "",
        HONJO,
    ),
    ("misato_fukushi", "美里町 福祉課（デモ）", OrganizationKind.GOVERNMENT, "福祉課", "", MISATO),
    (
        "kamikawa_fukushi",
        "神川町 健康福祉課（デモ）",
        OrganizationKind.GOVERNMENT,
        "健康福祉課",
        "",
        KAMIKAWA,
    ),
    (
        "kamisato_fukushi",
        "上里町 福祉課（デモ）",
        OrganizationKind.GOVERNMENT,
        "福祉課",
        "",
        KAMISATO,
    ),
    (
        "mental",
        "生活支援センターみらい（精神・デモ）",
        OrganizationKind.COMMISSIONED,
        "",
        DisabilityField.MENTAL,
        HONJO,
    ),
    (
        "intellectual",
        "生活支援センターひまわり（知的・デモ）",
        OrganizationKind.COMMISSIONED,
        "",
        DisabilityField.INTELLECTUAL,
        KAMISATO,
    ),
    (
        "physical",
        "生活支援センターあおぞら（身体・デモ）",
        OrganizationKind.COMMISSIONED,
        "",
        DisabilityField.PHYSICAL,
        HONJO,
    ),
    (
        "planned_a",
        "相談支援事業所こだま（デモ）",
        OrganizationKind.PLANNED_CONSULTATION,
        "",
        "",
        HONJO,
    ),
    (
        "planned_b",
        "相談支援事業所かみかわ（デモ）",
        OrganizationKind.PLANNED_CONSULTATION,
        "",
        "",
        KAMIKAWA,
    ),
    (
        "planned_c",
        "相談支援事業所みさと（デモ）",
        OrganizationKind.PLANNED_CONSULTATION,
        "",
        "",
        MISATO,
    ),
    ("child_dev", "多機能型事業所すくすく（デモ）", OrganizationKind.OTHER, "", "", HONJO),
    ("health_center", "本庄保健所（デモ）", OrganizationKind.HEALTH_CENTER, "", "", None),
    ("taiyo", "地域センターたいよう", OrganizationKind.REGIONAL_CENTER, "", "", None),
)

# name, kana, organization key, profession, training FY, experience, cases, towns, whole region,
# base-center staff
COORDINATORS = (
    (
        "青木 さくら（デモ）",
        "あおき さくら",
        "base",
        BaseProfession.CONSULTATION_SPECIALIST,
        2019,
        Experience.PLANNED_CONSULTATION,
        2,
        (),
        True,
        True,
    ),
    (
        "石田 健（デモ）",
        "いしだ けん",
        "base",
        BaseProfession.SOCIAL_WORKER,
        2024,
        Experience.NONE,
        None,
        (),
        True,
        True,
    ),
    (
        "上野 真理（デモ）",
        "うえの まり",
        "honjo_kodomo",
        BaseProfession.PUBLIC_HEALTH_NURSE,
        2021,
        Experience.DIRECT,
        3,
        (HONJO,),
        False,
        False,
    ),
    (
        "遠藤 拓也（デモ）",
        "えんどう たくや",
        "honjo_fukushi",
        BaseProfession.ADMINISTRATIVE,
        2024,
        Experience.NONE,
        None,
        (HONJO,),
        False,
        False,
    ),
    (
        "小川 由美（デモ）",
        "おがわ ゆみ",
        "misato_fukushi",
        BaseProfession.PUBLIC_HEALTH_NURSE,
        2025,
        Experience.NONE,
        None,
        (MISATO,),
        False,
        False,
    ),
    (
        "加藤 翔（デモ）",
        "かとう しょう",
        "kamikawa_fukushi",
        BaseProfession.ADMINISTRATIVE,
        2025,
        Experience.NONE,
        None,
        (KAMIKAWA,),
        False,
        False,
    ),
    (
        "木村 恵（デモ）",
        "きむら めぐみ",
        "mental",
        BaseProfession.PSYCHIATRIC_SOCIAL_WORKER,
        2022,
        Experience.NONE,
        None,
        (HONJO, MISATO),
        False,
        False,
    ),
    (
        "工藤 亮（デモ）",
        "くどう りょう",
        "mental",
        BaseProfession.PSYCHIATRIC_SOCIAL_WORKER,
        2024,
        Experience.NONE,
        None,
        (HONJO,),
        False,
        False,
    ),
    (
        "小林 愛（デモ）",
        "こばやし あい",
        "intellectual",
        BaseProfession.SOCIAL_WORKER,
        2024,
        Experience.NONE,
        None,
        (KAMISATO,),
        False,
        False,
    ),
    (
        "斎藤 大輔（デモ）",
        "さいとう だいすけ",
        "intellectual",
        BaseProfession.CARE_WORKER,
        2025,
        Experience.NONE,
        None,
        (KAMISATO, KAMIKAWA),
        False,
        False,
    ),
    (
        "佐々木 陽子（デモ）",
        "ささき ようこ",
        "planned_a",
        BaseProfession.CONSULTATION_SPECIALIST,
        2023,
        Experience.PLANNED_CONSULTATION,
        2,
        (HONJO,),
        False,
        False,
    ),
    (
        "清水 誠（デモ）",
        "しみず まこと",
        "planned_b",
        BaseProfession.CONSULTATION_SPECIALIST,
        2024,
        Experience.PLANNED_CONSULTATION,
        1,
        (KAMIKAWA,),
        False,
        False,
    ),
    # the four who have not attended a meeting yet
    (
        "鈴木 花子（デモ）",
        "すずき はなこ",
        "kamisato_fukushi",
        BaseProfession.PUBLIC_HEALTH_NURSE,
        2025,
        Experience.NONE,
        None,
        (KAMISATO,),
        False,
        False,
    ),
    (
        "高橋 優（デモ）",
        "たかはし ゆう",
        "planned_c",
        BaseProfession.CHILDCARE_WORKER,
        2025,
        Experience.NONE,
        None,
        (MISATO,),
        False,
        False,
    ),
    (
        "田中 美咲（デモ）",
        "たなか みさき",
        "child_dev",
        BaseProfession.NURSE,
        2024,
        Experience.NONE,
        None,
        (HONJO,),
        False,
        False,
    ),
    (
        "中村 浩二（デモ）",
        "なかむら こうじ",
        "physical",
        BaseProfession.SOCIAL_WORKER,
        2025,
        Experience.NONE,
        None,
        (HONJO,),
        False,
        False,
    ),
)


@transaction.atomic
def load(region: Region) -> dict[str, Organization]:
    towns = {m.code: m for m in Municipality.objects.filter(region=region)}
    organizations: dict[str, Organization] = {}
    for key, name, kind, department, field, town_code in ORGANIZATIONS:
        organizations[key], _ = Organization.objects.update_or_create(
            region=region,
            name=name,
            defaults={
                "kind": kind,
                "department": department,
                "field": field,
                "municipality": towns.get(town_code) if town_code else None,
                "notes": (
                    "デモデータ（発表資料で第3回の講師を務めた圏域外の機関）"
                    if key == "taiyo"
                    else "デモデータ（架空の機関）"
                ),
            },
        )
    for (
        name,
        kana,
        org_key,
        profession,
        training_year,
        experience,
        cases,
        town_codes,
        whole_region,
        base_staff,
    ) in COORDINATORS:
        coordinator, _ = Coordinator.objects.update_or_create(
            name=name,
            organization__region=region,
            defaults={
                "kana": kana,
                "organization": organizations[org_key],
                "base_profession": profession,
                "training_fiscal_year": training_year,
                "training_course": TrainingCourse.COORDINATOR,
                "experience": experience,
                "medical_care_cases": cases,
                "covers_whole_region": whole_region,
                "is_base_center_staff": base_staff,
                "is_active": True,
                "notes": "デモデータ（架空の人物）",
            },
        )
        wanted = {towns[c].pk for c in town_codes}
        if set(coordinator.municipalities.values_list("pk", flat=True)) != wanted:
            coordinator.municipalities.set(wanted)
    load_contacts(region)
    load_activities(region)
    return organizations


# The demo coordinator account (`load_demo --with-users`): the base center's coordinator.
DEMO_COORDINATOR_USERNAME = "coordinator"
DEMO_COORDINATOR_NAME = "青木 さくら（デモ）"

# 相談できること of some demo coordinators, and whose work contact is public (consent given).
DEMO_TOPICS = {
    "青木 さくら（デモ）": ("procedures", "respite", "disaster"),
    "上野 真理（デモ）": ("smid", "ventilator", "tube_feeding"),
    "佐々木 陽子（デモ）": ("schooling", "procedures"),
    "木村 恵（デモ）": ("respite",),
    "清水 誠（デモ）": ("tube_feeding", "schooling"),
}
DEMO_CONSENT = {
    # name -> visibility (those not listed have not consented: their contact is shown nowhere)
    "青木 さくら（デモ）": ContactVisibility.REGION,
    "上野 真理（デモ）": ContactVisibility.REGION,
    "佐々木 陽子（デモ）": ContactVisibility.CENTER,
    "清水 誠（デモ）": ContactVisibility.REGION,
}
DEMO_CONSENT_DATE = dt.date(2025, 11, 1)


def demo_email(index: int) -> str:
    return f"coordinator{index:02d}@kodama-demo.example.jp"


def demo_phone(index: int) -> str:
    # an exchange starting with 0 is never assigned in Japan: clearly not a real number
    return f"0495-00-{index:04d}"


@transaction.atomic
def load_contacts(region: Region) -> None:
    """Work contacts (example.jp), consent and 相談できること of the demo coordinators."""
    coordinators = {c.name: c for c in Coordinator.objects.filter(organization__region=region)}
    for index, row in enumerate(COORDINATORS, start=1):
        coordinator = coordinators[row[0]]
        visibility = DEMO_CONSENT.get(coordinator.name)
        coordinator.work_email = demo_email(index)
        coordinator.work_phone = demo_phone(index)
        coordinator.contact_visibility = visibility or ContactVisibility.CENTER
        coordinator.contact_consent_on = DEMO_CONSENT_DATE if visibility else None
        coordinator.save()
        wanted = set(DEMO_TOPICS.get(coordinator.name, ()))
        have = set(coordinator.topics.values_list("topic", flat=True))
        if wanted != have:
            coordinator.topics.all().delete()
            CoordinatorTopic.objects.bulk_create(
                [CoordinatorTopic(coordinator=coordinator, topic=t) for t in sorted(wanted)]
            )


# A few activity entries, days before the load: (days ago, coordinator, kind, consulted by,
# method, town, child/adult, new/continuing, age band)
DEMO_ACTIVITIES = (
    (0, "青木 さくら（デモ）", "individual", "family", "phone", HONJO, "child", "new", "preschool"),
    (
        2,
        "青木 さくら（デモ）",
        "community",
        "government",
        "meeting",
        KAMISATO,
        "child",
        "continuing",
        "elementary",
    ),
    (
        5,
        "青木 さくら（デモ）",
        "individual",
        "consultation_specialist",
        "visit",
        HONJO,
        "adult",
        "continuing",
        "adult",
    ),
    (
        3,
        "上野 真理（デモ）",
        "individual",
        "medical",
        "visit",
        HONJO,
        "child",
        "continuing",
        "infant",
    ),
    (
        8,
        "佐々木 陽子（デモ）",
        "individual",
        "family",
        "office",
        HONJO,
        "child",
        "new",
        "elementary",
    ),
)


@transaction.atomic
def load_activities(region: Region) -> None:
    """Only when the demo coordinators have no entry yet: a second load adds nothing, and what
    someone typed while trying the demo is kept."""
    coordinators = {c.name: c for c in Coordinator.objects.filter(organization__region=region)}
    if Activity.objects.filter(coordinator__in=coordinators.values()).exists():
        return
    towns = {m.code: m for m in Municipality.objects.filter(region=region)}
    today = timezone.localdate()
    quarter_start = fiscal_quarter_of(today).first_day  # all in this quarter: マイページ shows them
    Activity.objects.bulk_create(
        Activity(
            coordinator=coordinators[name],
            done_on=max(today - dt.timedelta(days=days_ago), quarter_start),
            kind=kind,
            consulted_by=consulted_by,
            method=method,
            municipality=towns[town],
            person_kind=person,
            continuity=continuity,
            age_band=age,
        )
        for days_ago, name, kind, consulted_by, method, town, person, continuity, age in (
            DEMO_ACTIVITIES
        )
    )


@transaction.atomic
def load_users(region: Region) -> list[User]:
    """The `coordinator` account, tied to the base center's demo coordinator."""
    coordinator = Coordinator.objects.get(name=DEMO_COORDINATOR_NAME, organization__region=region)
    user, created = User.objects.get_or_create(username=DEMO_COORDINATOR_USERNAME)
    if created:
        user.set_password(DEMO_PASSWORD)
    user.last_name = "コーディネーター（デモ）"
    user.email = coordinator.work_email
    apply_role(user=user, role=User.Role.COORDINATOR, region=None, municipality=None)
    if coordinator.account_id != user.pk:
        coordinator.account = user
        coordinator.save()
    return [user]


DEMO_USER_LINES = ((DEMO_COORDINATOR_USERNAME, "コーディネーター（デモ・基幹相談支援センター）"),)
