"""The dashboard's repeated markup, written in Python: the rows of the town table, the bars of
the charts and their tables, and the gap lists (also used by the region panel).

Why not the template: these parts repeat once per town (1,741 at national size) and, through
the template engine, each town cost some forty variable lookups, a `{% translate %}` per badge
and an `{% include %}` per gap. That was most of the time a computed dashboard spent over the
SQL it runs (docs/benchmarks.md). The two meeting and training-year charts repeat only a
dozen times each, but twice (bars, then table) with a `{% widthratio %}` per bar: through the
template they were a quarter of rendering a region's page. Here the labels are translated and
the fix links prepared once per page, and every value from the data is escaped with `_escape`
(Django's `escape` without its lazy-argument check), so the bytes are the ones the template
wrote (tests/hokenfukushi/test_dashboard_html.py compares both). The rest of the page stays
in templates/hokenfukushi/dashboard.html.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from html import escape as html_escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from coordinators.models import TrainingYearRow
from dashboard.build import MeetingParticipants, TownRow
from dashboard.coverage import Gap, ThisYearReport
from hokenfukushi.fiscal import fiscal_year_label, wareki

# (url, link text, town filter, region filter) per FixIn, as built by views._fix_links.
FixLinks = Mapping[str, tuple[str, str, str, str]]


def _escape(value: object) -> str:
    """What `django.utils.html.escape` writes. Its `keep_lazy` wrapper checks every argument for
    a lazy string first, which at 63 towns cost more than the escaping (~1,400 calls a page);
    `str()` here turns a lazy label into its translation just as that wrapper would later."""
    return _escape_text(str(value))


@lru_cache(maxsize=4096)
def _escape_text(text: str) -> str:
    # The same names are escaped on every page (each town's up to four times: its row, its sort
    # key, its chart bar and the chart's table); a cache hit costs less than the five replaces.
    return html_escape(text)


def _safe(parts: Iterable[str]) -> SafeString:
    # Safe: every value from the data went through `_escape` above; the rest is literal markup.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


def _thousands(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _width(value: int, max_value: int) -> str:
    """`{% widthratio value max_value 100 %}` for the int values the charts pass."""
    try:
        return str(round(float(value) / float(max_value) * 100))
    except ZeroDivisionError:
        return "0"


class _GapWriter:
    """`<li>` items for gaps; labels, escaped link parts and each distinct gap's markup worked
    out once per page (towns mostly share the same few gaps)."""

    def __init__(self, fix_links: FixLinks | None) -> None:
        self.importance = _escape(gettext("重要度"))
        self.links = {
            fix_in: (_escape(url), _escape(label), _escape(town_filter), _escape(region_filter))
            for fix_in, (url, label, town_filter, region_filter) in (fix_links or {}).items()
        }
        self.heads: dict[Gap, str] = {}

    def _head(self, gap: Gap) -> str:
        css = _escape(gap.severity.css)
        return (
            f'<li class="gap severity-{css}" data-gap="{_escape(gap.code)}">'
            f'<span class="badge severity-{css}">{self.importance}'
            f"{_escape(gap.severity.label)}</span> {_escape(gap.message)}"
        )

    def items(self, gaps: Iterable[Gap], *, town_pk: int | None, region_pk: int | None) -> str:
        parts = []
        heads = self.heads
        for gap in gaps:
            head = heads.get(gap)
            if head is None:
                head = heads[gap] = self._head(gap)
            fix = self.links.get(gap.fix_in)
            if fix:
                url, label, town_filter, region_filter = fix
                if town_filter and town_pk:
                    url = f"{url}?{town_filter}={town_pk}"
                elif region_filter and region_pk:
                    url = f"{url}?{region_filter}={region_pk}"
                parts.append(f'{head} <a href="{url}" class="fix-link">{label}</a></li>\n')
            else:
                parts.append(f"{head}</li>\n")
        return "".join(parts)


def gap_items(gaps: Iterable[Gap], fix_links: FixLinks | None, *, region_pk: int) -> SafeString:
    """The `<li>` items of a region's gaps (the region panel)."""
    return _safe([_GapWriter(fix_links).items(gaps, town_pk=None, region_pk=region_pk)])


def town_table_rows(
    rows: Sequence[TownRow], fix_links: FixLinks | None, *, show_region: bool
) -> SafeString:
    """The `<tr>` rows of the town table (#town-gaps), whitespace included."""
    gap_writer = _GapWriter(fix_links)
    own = _escape(gettext("自分の市町村"))
    approved = _escape(gettext("承認済み"))
    unapproved = _escape(gettext("未承認"))
    missing = _escape(gettext("未報告"))
    established = _escape(gettext("設置済み"))
    planning = _escape(gettext("検討中"))
    no_council = _escape(gettext("未設置"))
    no_gaps = _escape(gettext("課題なし"))
    no_counts = '<td class="num" data-value="-1">—</td>' * 4
    parts = []
    for row in rows:
        town = row.town
        name = _escape(town.name)
        cover = row.coverage
        counts = row.counts
        head = ' class="highlight" aria-current="true"' if row.is_own_town else ""
        badge = f' <span class="badge own">{own}</span>' if row.is_own_town else ""
        region = f'<td class="region">{_escape(town.region.name)}</td>' if show_region else ""
        population = town.population
        population_value = -1 if population is None else population
        if counts is not None:
            # Decimals, or "—" where the town's population is not known: nothing to escape.
            rates = ["—" if rate is None else rate for rate in cover.rates]
            cells = (
                f'\n        <td class="num" data-value="{counts.smid_children}">'
                f'{counts.smid_children}<span class="rate">（{rates[0]}）</span></td>\n'
                f'        <td class="num" data-value="{counts.medical_care_children}">'
                f'{counts.medical_care_children}<span class="rate">（{rates[1]}）</span>'
                "</td>\n"
                f'        <td class="num" data-value="{counts.smid_adults}">'
                f'{counts.smid_adults}<span class="rate">（{rates[2]}）</span></td>\n'
                f'        <td class="num" data-value="{counts.medical_care_adults}">'
                f'{counts.medical_care_adults}<span class="rate">（{rates[3]}）</span>'
                "</td>\n        "
            )
        else:
            cells = f"\n        {no_counts}\n        "
        if cover.figures_are_current:
            status = f'<span class="badge ok">{approved}</span>'
        elif counts is not None:
            status = f'<span class="badge warn">{_escape(_nendo(row.counts_fiscal_year))}</span>'
        else:
            label = unapproved if row.this_year_report == ThisYearReport.UNAPPROVED else missing
            status = f'<span class="badge danger">{label}</span>'
        if row.council_status == "established":
            council = f'<span class="badge ok">{established}</span>'
        elif row.council_status == "planning":
            council = planning
        else:
            council = no_council
        gaps = row.gaps
        worst = cover.worst
        if gaps:
            items = gap_writer.items(gaps, town_pk=town.pk, region_pk=town.region_id)
            gap_list = f'<ul class="gaps">{items}</ul>'
        else:
            gap_list = f'<span class="badge ok">{no_gaps}</span>'
        parts.append(
            f'\n      <tr{head} data-town="{_escape(town.code)}">\n'
            f'        <th scope="row" data-value="{_escape(town.kana or town.name)}">'
            f"{name}{badge}</th>\n"
            f"        {region}\n"
            f'        <td class="num" data-value="{population_value}">'
            f"{_thousands(population)}</td>\n"
            f"        {cells}\n"
            f"        <td>{status}</td>\n"
            f'        <td class="num" data-value="{row.coordinators.total}">'
            f"{row.coordinators.total}名（{row.coordinators.experienced}）</td>\n"
            f'        <td class="council">{council}</td>\n'
            f'        <td data-value="{int(worst) if worst else 0}{len(gaps)}">\n'
            f"          {gap_list}\n"
            "        </td>\n"
            "      </tr>\n    "
        )
    return _safe(parts)


def _nendo(fiscal_year: int | None) -> str:
    return "" if fiscal_year is None else fiscal_year_label(fiscal_year)


def town_chart_bars(rows: Sequence[TownRow], max_total: int) -> SafeString:
    """The bars of the people-per-town chart (towns with figures only)."""
    parts = []
    for row in rows:
        counts = row.counts
        if counts is None:
            continue
        children = _width(counts.children, max_total)
        parts.append(
            f'<div class="bar-row"><span>{_escape(row.town.name)}</span>'
            '<svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none">'
            f'<rect class="bar-fill children" width="{children}" height="10"/>'
            f'<rect class="bar-fill adults" x="{children}" '
            f'width="{_width(counts.adults, max_total)}" height="10"/></svg>'
            f'<span class="num">{counts.total}</span></div>'
        )
    return _safe(parts)


def town_chart_table_rows(rows: Sequence[TownRow]) -> SafeString:
    """The rows of the table under the people-per-town chart."""
    missing = _escape(gettext("未報告"))
    parts = []
    for row in rows:
        counts = row.counts
        if counts is None:
            cells = f'<td class="num" colspan="3">{missing}</td>'
        else:
            cells = (
                f'<td class="num">{counts.children}</td><td class="num">{counts.adults}</td>'
                f'<td class="num">{counts.total}人</td>'
            )
        parts.append(f'<tr><th scope="row">{_escape(row.town.name)}</th>{cells}</tr>')
    return _safe(parts)


def training_chart_bars(rows: Sequence[TrainingYearRow], max_count: int) -> SafeString:
    """The bars of the coordinators-per-training-year chart."""
    return _safe(
        f'<div class="bar-row"><span>{_escape(_nendo(row.fiscal_year))}</span>'
        '<svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none">'
        f'<rect class="bar-fill" width="{_width(row.count, max_count)}" height="10"/></svg>'
        f'<span class="num">{row.count}</span></div>'
        for row in rows
    )


def training_chart_table_rows(rows: Sequence[TrainingYearRow]) -> SafeString:
    """The rows of the table under the training-year chart."""
    if not rows:
        return _safe([f'<tr><td colspan="2">{_escape(gettext("該当なし"))}</td></tr>'])
    return _safe(
        f'<tr><th scope="row">{_escape(_nendo(row.fiscal_year))}</th>'
        f'<td class="num">{row.count}名</td></tr>'
        for row in rows
    )


def _meeting_name(participants: MeetingParticipants, show_region: bool) -> str:
    meeting = participants.meeting
    if show_region:
        return f"{_escape(meeting.region.name)} {_escape(meeting)}"
    return _escape(meeting)


def participant_chart_bars(
    participants: Sequence[MeetingParticipants], max_total: int, *, show_region: bool
) -> SafeString:
    """The bars of the participants-per-meeting chart (coordinators, then the others)."""
    parts = []
    for m in participants:
        coordinators = _width(m.coordinators, max_total)
        parts.append(
            f'<div class="bar-row"><span>{_meeting_name(m, show_region)}</span>'
            '<svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none">'
            f'<rect class="bar-fill coordinators" width="{coordinators}" height="10"/>'
            f'<rect class="bar-fill others" x="{coordinators}" '
            f'width="{_width(m.others, max_total)}" height="10"/></svg>'
            f'<span class="num">{m.total}</span></div>'
        )
    return _safe(parts)


def participant_chart_table_rows(
    participants: Sequence[MeetingParticipants], *, show_region: bool
) -> SafeString:
    """The rows of the table under the participants chart."""
    if not participants:
        return _safe(
            [f'<tr><td colspan="5">{_escape(gettext("開催済みの会議はありません"))}</td></tr>']
        )
    return _safe(
        f'<tr><th scope="row">{_meeting_name(m, show_region)}</th>'
        f'<td>{_escape(wareki(m.day))}</td><td class="num">{m.coordinators}</td>'
        f'<td class="num">{m.others}</td><td class="num">{m.total}名</td></tr>'
        for m in participants
    )
