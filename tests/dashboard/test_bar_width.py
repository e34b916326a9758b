"""The town chart's bars: widths worked out in Python (dashboard.build.bar_width) must draw
exactly what Django's own `{% widthratio %}` drew before, for every count a town can report."""

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from dashboard.build import bar_width

WIDTHRATIO = Template("{% widthratio value most 100 %}")


@given(most=st.integers(min_value=0, max_value=100_000), share=st.floats(0, 1))
def test_bar_width_is_what_widthratio_draws(most: int, share: float) -> None:
    value = int(most * share)
    drawn = WIDTHRATIO.render(Context({"value": value, "most": most}))
    assert str(bar_width(value, most)) == drawn


def test_the_longest_bar_fills_the_row_and_an_empty_chart_draws_nothing() -> None:
    assert bar_width(37, 37) == 100
    assert bar_width(1, 3) == 33
    assert bar_width(0, 0) == 0
