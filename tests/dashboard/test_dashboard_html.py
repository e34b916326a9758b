"""The dashboard's repeated markup is written in Python (hokenfukushi/dashboard_html.py) for
speed; what users get must be the bytes the template wrote before. The template fragments below
are the ones it replaced, kept here only to compare against."""

import copy
import dataclasses
import datetime as dt

import pytest
from django.template import engines

from benchmarks.synthetic import generate_synthetic
from dashboard import dashboard_html, views
from dashboard.build import build_dashboard
from dashboard.coverage import FixIn, Gap, Severity, ThisYearReport
from hokenfukushi.factories import PrefectureViewerFactory, RegionAdminFactory
from hokenfukushi.models import Region

GAP = (
    '<li class="gap severity-{{ gap.severity.css }}" data-gap="{{ gap.code }}">'
    '<span class="badge severity-{{ gap.severity.css }}">{% translate "重要度" %}'
    "{{ gap.severity.label }}</span> {{ gap.message }}"
    "{% with link=fix_links|lookup:gap.fix_in %}{% if link %} "
    '<a href="{{ link.0 }}{% if link.2 and town %}?{{ link.2 }}={{ town.pk }}'
    '{% elif link.3 and region %}?{{ link.3 }}={{ region.pk }}{% endif %}" class="fix-link">'
    "{{ link.1 }}</a>{% endif %}{% endwith %}</li>\n"
)

TOWN_ROWS = (
    """{% for row in rows %}
      <tr{% if row.is_own_town %} class="highlight" aria-current="true"{% endif %} data-town="{{ row.town.code }}">
        <th scope="row" data-value="{{ row.town.kana|default:row.town.name }}">{{ row.town.name }}{% if row.is_own_town %} <span class="badge own">{% translate "自分の市町村" %}</span>{% endif %}</th>
        {% if show_region %}<td class="region">{{ row.town.region.name }}</td>{% endif %}
        <td class="num" data-value="{{ row.town.population|default_if_none:'-1' }}">{{ row.town.population|thousands }}</td>
        {% if row.counts %}
        <td class="num" data-value="{{ row.counts.smid_children }}">{{ row.counts.smid_children }}<span class="rate">（{{ row.coverage.rates.0 }}）</span></td>
        <td class="num" data-value="{{ row.counts.medical_care_children }}">{{ row.counts.medical_care_children }}<span class="rate">（{{ row.coverage.rates.1 }}）</span></td>
        <td class="num" data-value="{{ row.counts.smid_adults }}">{{ row.counts.smid_adults }}<span class="rate">（{{ row.coverage.rates.2 }}）</span></td>
        <td class="num" data-value="{{ row.counts.medical_care_adults }}">{{ row.counts.medical_care_adults }}<span class="rate">（{{ row.coverage.rates.3 }}）</span></td>
        {% else %}
        <td class="num" data-value="-1">—</td><td class="num" data-value="-1">—</td><td class="num" data-value="-1">—</td><td class="num" data-value="-1">—</td>
        {% endif %}
        <td>{% if row.coverage.figures_are_current %}<span class="badge ok">{% translate "承認済み" %}</span>{% elif row.counts %}<span class="badge warn">{{ row.counts_fiscal_year|nendo }}</span>{% else %}<span class="badge danger">{% if row.this_year_report == "unapproved" %}{% translate "未承認" %}{% else %}{% translate "未報告" %}{% endif %}</span>{% endif %}</td>
        <td class="num" data-value="{{ row.coordinators.total }}">{{ row.coordinators.total }}名（{{ row.coordinators.experienced }}）</td>
        <td class="council">{% if row.council_status == "established" %}<span class="badge ok">{% translate "設置済み" %}</span>{% elif row.council_status == "planning" %}{% translate "検討中" %}{% else %}{% translate "未設置" %}{% endif %}</td>
        <td data-value="{{ row.coverage.worst|default:0 }}{{ row.gaps|length }}">
          {% if row.gaps %}<ul class="gaps">{% for gap in row.gaps %}{% with town=row.town region=row.town.region %}GAP{% endwith %}{% endfor %}</ul>{% else %}<span class="badge ok">{% translate "課題なし" %}</span>{% endif %}
        </td>
      </tr>
    {% endfor %}"""  # noqa: E501
).replace("GAP", GAP)

CHART_BARS = (
    '{% for row in rows %}{% if row.counts %}<div class="bar-row"><span>{{ row.town.name }}'
    '</span><svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none">'
    '<rect class="bar-fill children" width="{% widthratio row.counts.children max 100 %}" '
    'height="10"/><rect class="bar-fill adults" x="{% widthratio row.counts.children max 100 %}"'
    ' width="{% widthratio row.counts.adults max 100 %}" height="10"/></svg>'
    '<span class="num">{{ row.counts.total }}</span></div>{% endif %}{% endfor %}'
)

CHART_TABLE = (
    '{% for row in rows %}<tr><th scope="row">{{ row.town.name }}</th>{% if row.counts %}'
    '<td class="num">{{ row.counts.children }}</td><td class="num">{{ row.counts.adults }}</td>'
    '<td class="num">{{ row.counts.total }}人</td>{% else %}<td class="num" colspan="3">'
    '{% translate "未報告" %}</td>{% endif %}</tr>{% endfor %}'
)

PANEL_GAPS = "{% for gap in gaps %}{% with region=region %}GAP{% endwith %}{% endfor %}".replace(
    "GAP", GAP
)


def _template(text):
    return engines["django"].from_string("{% load i18n wareki dashboard_tags %}" + text)


def _varied(rows):
    """The synthetic rows plus the cases synthetic data may not have: the user's own town, a
    town never reported (this year unapproved or missing), no population and no kana, a name
    that needs escaping, a council being planned, and figures from an earlier year."""
    first = rows[0]
    town = copy.copy(first.town)
    town.population, town.kana, town.name = None, "", "<b>町&村</b>"
    return [
        *rows,
        dataclasses.replace(first, is_own_town=True),
        dataclasses.replace(first, counts=None, this_year_report=ThisYearReport.UNAPPROVED),
        dataclasses.replace(
            first,
            counts=None,
            this_year_report=ThisYearReport.MISSING,
            coverage=dataclasses.replace(
                first.coverage,
                gaps=(
                    Gap("figures_missing", "在宅の対象者数が未報告", Severity.HIGH, FixIn.COUNTS),
                    Gap("council_missing", "協議の場が<未設置>", Severity.MEDIUM, FixIn.COUNCILS),
                ),
            ),
        ),
        dataclasses.replace(first, town=town, council_status=None),
        dataclasses.replace(first, council_status="planning"),
        dataclasses.replace(
            first,
            counts_fiscal_year=2024,
            coverage=dataclasses.replace(first.coverage, figures_are_current=False),
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [True, False])
def test_per_town_markup_is_what_the_template_wrote(staff):
    generate_synthetic(regions=3, towns=12, years=3)
    region = Region.objects.filter(is_synthetic=True).order_by("pk").first()
    viewer = PrefectureViewerFactory()
    data = build_dashboard(viewer, fiscal_year=2026, today=dt.date(2026, 11, 1))
    fix_links = views._fix_links(RegionAdminFactory(region=region, is_staff=staff))
    assert bool(fix_links) == staff
    rows = _varied(data.rows)
    assert {row.council_status for row in rows} >= {"established", "planning", "none", None}
    assert any(row.gaps for row in rows) and any(not row.gaps for row in rows)
    assert any(row.counts and not row.coverage.figures_are_current for row in rows)

    for show_region in (True, False):
        context = {"rows": rows, "fix_links": fix_links, "show_region": show_region}
        expected = _template(TOWN_ROWS).render(context)
        written = dashboard_html.town_table_rows(rows, fix_links, show_region=show_region)
        assert written == expected
    assert (staff and "fix-link" in written) or (not staff and "fix-link" not in written)
    assert "&lt;b&gt;町&amp;村&lt;/b&gt;" in written
    if staff:  # links filtered to the town (counts) and to its region (councils)
        assert "?municipality__id__exact=" in written and "?region__id__exact=" in written

    maximum = max(row.counts.total for row in rows if row.counts)
    assert dashboard_html.town_chart_bars(rows, maximum) == _template(CHART_BARS).render(
        {"rows": rows, "max": maximum}
    )
    assert dashboard_html.town_chart_bars(rows, 0) == _template(CHART_BARS).render(
        {"rows": rows, "max": 0}
    )
    assert dashboard_html.town_chart_table_rows(rows) == _template(CHART_TABLE).render(
        {"rows": rows}
    )
    for panel in data.panels:
        expected = _template(PANEL_GAPS).render(
            {"gaps": panel.resource_gaps, "fix_links": fix_links, "region": panel.region}
        )
        written = dashboard_html.gap_items(
            panel.resource_gaps, fix_links, region_pk=panel.region.pk
        )
        assert written == expected


TRAINING_BARS = (
    '{% for row in data.training_years %}<div class="bar-row"><span>{{ row.fiscal_year|nendo }}'
    '</span><svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none">'
    '<rect class="bar-fill" width="{% widthratio row.count data.max_training_year 100 %}" '
    'height="10"/></svg><span class="num">{{ row.count }}</span></div>{% endfor %}'
)

TRAINING_TABLE = (
    '{% for row in data.training_years %}<tr><th scope="row">{{ row.fiscal_year|nendo }}</th>'
    '<td class="num">{{ row.count }}名</td></tr>{% empty %}<tr><td colspan="2">'
    '{% translate "該当なし" %}</td></tr>{% endfor %}'
)

PARTICIPANT_BARS = (
    '{% for m in data.participants %}<div class="bar-row"><span>{% if show_region %}'
    "{{ m.meeting.region.name }} {% endif %}{{ m.meeting }}</span>"
    '<svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none">'
    '<rect class="bar-fill coordinators" width="{% widthratio m.coordinators '
    'data.max_participants 100 %}" height="10"/><rect class="bar-fill others" '
    'x="{% widthratio m.coordinators data.max_participants 100 %}" '
    'width="{% widthratio m.others data.max_participants 100 %}" height="10"/></svg>'
    '<span class="num">{{ m.total }}</span></div>{% endfor %}'
)

PARTICIPANT_TABLE = (
    '{% for m in data.participants %}<tr><th scope="row">{% if show_region %}'
    "{{ m.meeting.region.name }} {% endif %}{{ m.meeting }}</th><td>{{ m.day|wareki }}</td>"
    '<td class="num">{{ m.coordinators }}</td><td class="num">{{ m.others }}</td>'
    '<td class="num">{{ m.total }}名</td></tr>{% empty %}<tr><td colspan="5">'
    '{% translate "開催済みの会議はありません" %}</td></tr>{% endfor %}'
)


@pytest.mark.django_db
def test_chart_markup_is_what_the_template_wrote():
    generate_synthetic(regions=3, towns=12, years=3)
    data = build_dashboard(PrefectureViewerFactory(), fiscal_year=2026, today=dt.date(2026, 11, 1))
    assert data.training_years and data.participants
    first = data.participants[0]
    meeting = copy.copy(first.meeting)
    meeting.region = copy.copy(meeting.region)
    meeting.region.name = "<b>圏域&</b>"
    participants = [
        *data.participants,
        dataclasses.replace(first, meeting=meeting, coordinators=0, others=0),
    ]
    cases = [
        dataclasses.replace(data, participants=participants),
        dataclasses.replace(data, training_years=[], participants=[]),
        dataclasses.replace(  # every bar at zero width: the maximum is 0
            data,
            training_years=[dataclasses.replace(r, count=0) for r in data.training_years],
            participants=[dataclasses.replace(p, coordinators=0, others=0) for p in participants],
        ),
    ]
    for case in cases:
        for show_region in (True, False):
            context = {"data": case, "show_region": show_region}
            assert dashboard_html.participant_chart_bars(
                case.participants, case.max_participants, show_region=show_region
            ) == _template(PARTICIPANT_BARS).render(context)
            assert dashboard_html.participant_chart_table_rows(
                case.participants, show_region=show_region
            ) == _template(PARTICIPANT_TABLE).render(context)
        context = {"data": case}
        assert dashboard_html.training_chart_bars(
            case.training_years, case.max_training_year
        ) == _template(TRAINING_BARS).render(context)
        assert dashboard_html.training_chart_table_rows(case.training_years) == _template(
            TRAINING_TABLE
        ).render(context)
    written = dashboard_html.participant_chart_table_rows(participants, show_region=True)
    assert "&lt;b&gt;圏域&amp;&lt;/b&gt; 第" in written
