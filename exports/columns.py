"""What each export column is, by its header: the cell kind in an .xlsx and the definition on
its 「説明」 sheet. The tables (exports/tables.py) give headers and values; this describes the
columns once, so that a column added to a table (年度, 都道府県, 圏域, …) is typed by its name,
never guessed from its values.

A header not described here is written as its values come: a number as a number, anything else
as text (`Kind.SUPPRESSIBLE`), with a plain definition. Describe it here to type it properly.
"""

from __future__ import annotations

from collections.abc import Sequence

from caseload.definitions import DEFINITIONS
from caseload.rules import ALL_LABELS, COUNT_LABELS
from hokenfukushi.xlsx import Column, Kind

_COUNT_NOTE = "その年度の最新の承認済み報告の人数。報告のない市町村は空欄（0 ではありません）。"

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


def sheet_columns(headers: Sequence[str]) -> tuple[list[Column], list[tuple[str, str]]]:
    """The .xlsx columns of a table's headers and their 「説明」 definitions."""
    columns, definitions = [], []
    for header in headers:
        kind, text = describe(header)
        columns.append(Column(header, kind))
        definitions.append((header, text))
    return columns, definitions
