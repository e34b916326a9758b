"""The .xlsx writer moved to `hokenfukushi.xlsx` (issue 24), so that caseload's import template
can use it too; this name stays for code written against the old place."""

from hokenfukushi.xlsx import (  # noqa: F401
    COUNT_FORMAT,
    DEFINITIONS_SHEET,
    TEXT_FORMAT,
    WAREKI_DATE_FORMAT,
    XLSX_CONTENT_TYPE,
    Column,
    Kind,
    UnwritableText,
    write_workbook,
    write_workbook_to,
)
