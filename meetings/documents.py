"""Editable Word files of a meeting (python-docx): the 次第 sent before it and the 議事録 after.

Both carry the title, the date in 和暦, the place and the agenda; the 議事録 adds the attendance
in the source's two columns (コーディネーター / それ以外, 計N名), the 記録 of each agenda item,
the 振り返り and the 次回に向けて. Page numbers are a PAGE field in the footer, so Word keeps
them right after the center edits the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from meetings.attendance import AttendanceBreakdown
from meetings.models import ActionItem, AgendaItem, Meeting

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class MeetingDocument:
    meeting: Meeting
    date_text: str
    agenda: list[AgendaItem]
    carried: list[ActionItem]
    raised: list[ActionItem]
    breakdown: AttendanceBreakdown
    follow_up_title: str


def _page_number_footer(document) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" -")


def _new_document(title: str, facts: MeetingDocument):
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "MS Mincho")
    _page_number_footer(document)
    document.add_heading(title, level=1)
    meeting = facts.meeting
    document.add_paragraph(f"日時: {facts.date_text}")
    document.add_paragraph(f"会場: {meeting.venue or '（未定）'}")
    if meeting.theme:
        document.add_paragraph(f"テーマ: {meeting.theme}")
    return document


def _carried_lines(facts: MeetingDocument) -> list[str]:
    return [
        f"・{action.text}（{action.raised_at}で決定・{action.get_status_display()}）"
        for action in facts.carried
    ]


def agenda_docx(facts: MeetingDocument) -> bytes:
    """次第: the agenda to send before the meeting."""
    meeting = facts.meeting
    document = _new_document(
        f"{meeting.region} {meeting} 医ケアコーディネーター連絡会議 次第", facts
    )
    document.add_heading("議題", level=2)
    for index, item in enumerate(facts.agenda, start=1):
        line = f"{index}. {item.title}"
        if item.presenter:
            line += f"（{item.presenter}）"
        document.add_paragraph(line)
        if item.title == facts.follow_up_title:
            for text in _carried_lines(facts):
                document.add_paragraph(text)
    return _saved(document)


def minutes_docx(facts: MeetingDocument) -> bytes:
    """議事録: attendance, agenda with its 記録, 振り返り and 次回に向けて."""
    meeting = facts.meeting
    document = _new_document(
        f"{meeting.region} {meeting} 医ケアコーディネーター連絡会議 議事録", facts
    )
    document.add_heading("参加者", level=2)
    breakdown = facts.breakdown
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = "医ケアコーディネーター"
    table.rows[0].cells[1].text = "医ケアコーディネーター以外"
    for row in breakdown.rows:
        cells = table.add_row().cells
        if row.coordinators:
            cells[0].text = f"・{row.coordinators.label} {row.coordinators.count}名"
        if row.others:
            cells[1].text = f"・{row.others.label} {row.others.count}名"
    cells = table.add_row().cells
    cells[1].text = f"計{breakdown.total}名"

    document.add_heading("議題と記録", level=2)
    for index, item in enumerate(facts.agenda, start=1):
        document.add_paragraph(f"{index}. {item.title}", style="List Number")
        if item.title == facts.follow_up_title:
            for text in _carried_lines(facts):
                document.add_paragraph(text)
        if item.minutes:
            document.add_paragraph(item.minutes)

    document.add_heading("振り返り", level=2)
    document.add_paragraph(meeting.reflection or "（未記入）")
    document.add_heading("次回に向けて", level=2)
    if facts.raised:
        for action in facts.raised:
            owner = f"（{action.owner_organization}）" if action.owner_organization_id else ""
            document.add_paragraph(f"・{action.text}{owner}")
    else:
        document.add_paragraph("（なし）")
    return _saved(document)


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
