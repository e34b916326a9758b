"""Demo organizations and the 16 coordinators of 児玉郡市 (fictional people, marked （デモ）).

Consistent with the source presentation:
- training fiscal years FY2019 1, FY2021 1, FY2022 1, FY2023 1, FY2024 6, FY2025 6 (16 in all);
- one こども課 coordinator with direct experience, three involved through planned consultation,
  the rest none;
- twelve of them attended the meetings (see meetings.demo), four never have.
Other modules (meetings.demo) refer to these organizations and people by name: keep names stable.
"""

from django.db import transaction

from coordinators.models import (
    BaseProfession,
    Coordinator,
    DisabilityField,
    Experience,
    Organization,
    OrganizationKind,
    TrainingCourse,
)
from hokenfukushi.models import Municipality, Region

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
    return organizations
