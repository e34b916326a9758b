"""What each export column is, in one place: the CSV headers of the prefecture and
survey-summary exports with their definitions (the README's table and the 「説明」 sheet read
these), and, by header, the cell kind in an .xlsx. The tables (exports/tables.py) give headers
and values; a column added to a table (年度, 都道府県, 圏域, …) is typed by its name here, never
guessed from its values.

A header not described here is written as its values come: a number as a number, anything else
as text (`Kind.SUPPRESSIBLE`), with a plain definition. Describe it here to type it properly.
The four counts and the two overlap counts take their definitions from
`caseload.definitions`, the form help texts' one source.
"""

from __future__ import annotations

from collections.abc import Sequence

from caseload.definitions import DEFINITIONS
from caseload.rules import ALL_LABELS, COUNT_LABELS
from hokenfukushi.xlsx import Column, Kind

COUNT_HEADERS = (
    "重症心身障害児(在宅)",
    "医療的ケア児(在宅)",
    "重症心身障害者(在宅)",
    "医療的ケア者(在宅)",
)
SUBSET_HEADERS = (
    "重症心身障害児のうち医療的ケアが必要な方",
    "重症心身障害者のうち医療的ケアが必要な方",
)

# Placement form (配置形態) of a town's coordinators and the council (協議の場) labels.
PLACED_SINGLE = "単独配置"
PLACED_REGIONAL = "圏域で配置"
NOT_PLACED = "未配置"
PLACEMENT_PLANNED = "予定"  # not recorded in the data yet: never written (see README)

COUNCIL_SINGLE = "単独設置"
COUNCIL_REGIONAL = "圏域で共同設置"
COUNCIL_NONE = "未設置"
COUNCIL_PLANNED = "設置予定"

# Said once in the file (a note row after the 県計) and in the README.
COUNTED_ONCE_NOTE = (
    "注: 計の行のコーディネーター数・養成研修修了者数は、"
    "複数の市町村を担当する人を1人として数えます"
    "（市町村の行の合計とは一致しないことがあります）。人数の計は表示年度の承認済みの報告だけの合計です。"
)

PREFECTURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("年度", "集計の年度（和暦、4月〜翌3月）。ファイルのすべての行が同じ年度です。"),
    ("都道府県", "都道府県名。"),
    ("圏域", "市町村が属する圏域（障害保健福祉圏域・郡市）。"),
    ("団体コード", "総務省の全国地方公共団体コード（6桁、検査数字つき）。計の行は空欄。"),
    ("市町村名", "市町村名。計の行は「〇〇 圏域計」「〇〇 県計」。"),
    ("人口", "人口基準日時点の人口。計の行はその範囲の市町村の合計。"),
    ("人口基準日", "人口の基準日（年度末までで最新のもの）。"),
    ("集計基準日", "在宅の対象者数の基準日（承認済みの報告）。未報告・未承認なら空欄。"),
    (COUNT_HEADERS[0], DEFINITIONS["smid_children"]),
    (COUNT_HEADERS[1], DEFINITIONS["medical_care_children"]),
    (COUNT_HEADERS[2], DEFINITIONS["smid_adults"]),
    (COUNT_HEADERS[3], DEFINITIONS["medical_care_adults"]),
    (SUBSET_HEADERS[0], DEFINITIONS["smid_children_with_medical_care"]),
    (SUBSET_HEADERS[1], DEFINITIONS["smid_adults_with_medical_care"]),
    (
        "コーディネーター配置数",
        "その市町村を担当する活動中のコーディネーター（市町村の指定または圏域全体の担当）。"
        "計の行では同じ人を1人として数えます。",
    ),
    (
        "養成研修修了者数",
        "所属機関がその市町村にある、その年度末までの養成研修修了者（配置・活動の有無を問わない）。"
        "計の行は所属機関がその範囲にある修了者。",
    ),
    (
        "配置形態",
        f"{PLACED_SINGLE}: 市町村を指定して担当する人がいる"
        f" / {PLACED_REGIONAL}: 圏域全体を担当する人だけ"
        f" / {NOT_PLACED}: いない。計の行は空欄。",
    ),
    (
        "協議の場",
        f"{COUNCIL_SINGLE} / {COUNCIL_REGIONAL}（共同設置・圏域設置） / {COUNCIL_PLANNED}（検討中）"
        f" / {COUNCIL_NONE}。",
    ),
    ("協議の場の設置年月", "設置済みの協議の場の設置年月（和暦）。"),
    ("報告状態", "承認済み / 未承認 / 未報告。計の行は「承認済み 承認済みの市町村数/市町村数」。"),
)
PREFECTURE_HEADER: tuple[str, ...] = tuple(header for header, _ in PREFECTURE_COLUMNS)

SURVEY_SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("年度", "集計の年度（和暦）。"),
    ("都道府県", "都道府県名。"),
    ("圏域", "圏域名。都道府県の行は空欄。"),
    ("単位", "都道府県 / 圏域 / 市町村: 何を数えたか。"),
    (
        "協議の場 設置数",
        "協議の場を設置済みの単位の数（都道府県・圏域は、その範囲の市町村が一つでも設置済みなら1）。",
    ),
    ("協議の場 分母", "その範囲の単位の数。"),
    (
        "コーディネーター配置 設置数",
        "活動中のコーディネーターが配置されている単位の数（圏域全体の担当を含む）。",
    ),
    ("コーディネーター配置 分母", "その範囲の単位の数。"),
)
SURVEY_SUMMARY_HEADER: tuple[str, ...] = tuple(header for header, _ in SURVEY_SUMMARY_COLUMNS)


# The .xlsx cell kind of each column of the two survey-shaped files (text unless said here).
_SURVEY_KINDS: dict[str, Kind] = {
    "年度": Kind.FISCAL_YEAR,
    "人口": Kind.SUPPRESSIBLE,
    "人口基準日": Kind.DATE,
    "集計基準日": Kind.DATE,
    **dict.fromkeys(COUNT_HEADERS + SUBSET_HEADERS, Kind.SUPPRESSIBLE),
    "コーディネーター配置数": Kind.SUPPRESSIBLE,
    "養成研修修了者数": Kind.SUPPRESSIBLE,
    "協議の場 設置数": Kind.COUNT,
    "協議の場 分母": Kind.COUNT,
    "コーディネーター配置 設置数": Kind.COUNT,
    "コーディネーター配置 分母": Kind.COUNT,
}

_COUNT_NOTE = "その年度の最新の承認済み報告の人数。報告のない市町村は空欄（0 ではありません）。"

# The headers the other exports share with the survey-shaped files, explained in general terms.
_GENERAL_HEADERS = frozenset(
    {"年度", "都道府県", "圏域", "団体コード", "市町村名", "人口", "人口基準日", "集計基準日"}
    | {f"{label}(在宅)" for label in COUNT_LABELS.values()}
    | {"協議の場", "報告状態"}
)

# header -> (kind, definition). The headers of every export and of the import template.
DESCRIBED: dict[str, tuple[Kind, str]] = {
    "年度": (Kind.FISCAL_YEAR, "報告の年度（4月1日から翌年3月31日）。和暦で表示します。"),
    "都道府県": (Kind.TEXT, "都道府県名。"),
    "圏域": (Kind.TEXT, "障害保健福祉圏域の名前。"),
    "団体コード": (
        Kind.TEXT,
        "全国地方公共団体コード（6桁、末尾は検査数字）。先頭の0を含む文字列です。"
        "計の行は空欄です。",
    ),
    "市町村名": (Kind.TEXT, "市町村の名前。圏域の合計行は「〇〇 計」です。"),
    "人口": (Kind.SUPPRESSIBLE, "人口基準日時点の総人口（人）。計の行は市町村の合計です。"),
    "人口基準日": (Kind.DATE, "人口の基準日（年度末までで最新のもの）。"),
    "集計基準日": (Kind.DATE, "人数を数えた基準日（取り込みでは「基準日」として読みます）。"),
    "基準日": (Kind.DATE, "人数を数えた基準日。"),
    **{
        f"{label}(在宅)": (Kind.SUPPRESSIBLE, f"{DEFINITIONS[name]}{_COUNT_NOTE}")
        for name, label in COUNT_LABELS.items()
    },
    **{label: (Kind.SUPPRESSIBLE, DEFINITIONS[name]) for name, label in ALL_LABELS.items()},
    "コーディネーター数": (
        Kind.SUPPRESSIBLE,
        "その市町村を担当する活動中のコーディネーター（市町村名指定または圏域全体の担当）。"
        "計の行では、複数の市町村を担当する人も1人と数えます。",
    ),
    "うち実務経験あり": (Kind.SUPPRESSIBLE, "コーディネーター数のうち、実務経験のある人。"),
    "協議の場": (Kind.TEXT, "医療的ケア児等支援のための協議の場の設置状況と形態。"),
    "報告状態": (
        Kind.TEXT,
        "その年度の報告の状態（承認済み・未承認・未報告）。計の行は「承認済み 承認数/市町村数」。",
    ),
    "区分": (Kind.TEXT, "人数の区分（重症心身障害児、医療的ケア児 など）。"),
    "人数": (Kind.SUPPRESSIBLE, "その区分の在宅の人数（人）。"),
    "状態": (Kind.TEXT, "報告の状態（下書き・提出済み・承認済み）。"),
    # the survey-shaped files' other headers; each of those two files explains its columns in
    # its own words (`sheet_columns(..., own=PREFECTURE_COLUMNS)`)
    **{
        header: (_SURVEY_KINDS.get(header, Kind.TEXT), definition)
        for header, definition in (*PREFECTURE_COLUMNS, *SURVEY_SUMMARY_COLUMNS)
        if header not in _GENERAL_HEADERS
    },
    "四半期": (Kind.COUNT, "年度の四半期（1: 4〜6月、2: 7〜9月、3: 10〜12月、4: 1〜3月）。"),
    "個別支援": (
        Kind.SUPPRESSIBLE,
        "コーディネーターが記録した個別支援の件数（人の名前は含みません）。",
    ),
    "地域支援": (Kind.SUPPRESSIBLE, "コーディネーターが記録した地域支援の件数。"),
    "計": (Kind.SUPPRESSIBLE, "個別支援と地域支援の件数の合計。"),
}

SUPPRESSION_NOTE = (
    "x",
    "秘匿したセル（1人以上で公表の基準未満の人数、またはそこから逆算できるセル）。",
)


def describe(header: str) -> tuple[Kind, str]:
    return DESCRIBED.get(header, (Kind.SUPPRESSIBLE, f"「{header}」（CSV の同じ列と同じ値）。"))


def sheet_columns(
    headers: Sequence[str], *, own: Sequence[tuple[str, str]] = ()
) -> tuple[list[Column], list[tuple[str, str]]]:
    """The .xlsx columns of a table's headers and their 「説明」 definitions: the file's `own`
    (header, definition) pairs where it has them (the survey-shaped files), else `describe`."""
    own_words = dict(own)
    columns, definitions = [], []
    for header in headers:
        kind, text = describe(header)
        columns.append(Column(header, kind))
        definitions.append((header, own_words.get(header, text)))
    return columns, definitions
