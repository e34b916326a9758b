"""What each count means, in one place: the form help texts, the CSV import page and template,
and (later) the export headers all read these texts.

The source's table counts 重症心身障害児 and 医療的ケア児 apart: a child with severe motor and
intellectual disabilities is counted as 重症心身障害児 even if they also need medical care, and
only then again in the overlap column (重症心身障害児のうち医療的ケアが必要な方). So
医療的ケア児 are those who need medical care and are NOT counted as 重症心身障害児.
"""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "smid_children": (
        "在宅の重症心身障害児（18歳未満）の数。医療的ケアが必要な子も含みます"
        "（その数は「重症心身障害児のうち医療的ケアが必要な方」にも入力します）。"
    ),
    "medical_care_children": (
        "在宅で医療的ケアが必要な児（18歳未満）のうち、重症心身障害児に数えていない子の数。"
        "重症心身障害児で医療的ケアが必要な子はここに含めません。"
    ),
    "smid_adults": (
        "在宅の重症心身障害者（18歳以上）の数。医療的ケアが必要な方も含みます"
        "（その数は「重症心身障害者のうち医療的ケアが必要な方」にも入力します）。"
    ),
    "medical_care_adults": (
        "在宅で医療的ケアが必要な者（18歳以上）のうち、重症心身障害者に数えていない方の数。"
        "重症心身障害者で医療的ケアが必要な方はここに含めません。"
    ),
    "smid_children_with_medical_care": (
        "重症心身障害児のうち、医療的ケアが必要な子の数（重症心身障害児の内数。"
        "医療的ケア児の数には含めません）。わからなければ空欄。"
    ),
    "smid_adults_with_medical_care": (
        "重症心身障害者のうち、医療的ケアが必要な方の数（重症心身障害者の内数。"
        "医療的ケア者の数には含めません）。わからなければ空欄。"
    ),
}

# One sentence for pages and file headers that show all columns at once.
SUMMARY = (
    "医療的ケア児・者は、重症心身障害児・者に数えていない方です。"
    "重症心身障害児・者のうち医療的ケアが必要な方は、別の列（内数）に入れます。"
)
