"""Geometry for the small server-drawn SVG charts (no JavaScript, printable, with a table
equivalent next to each). Pure functions: values in, coordinates out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StackedBar:
    label: str
    coordinators: int
    others: int
    x: float
    width: float
    coordinators_y: float
    coordinators_height: float
    others_y: float
    others_height: float

    @property
    def total(self) -> int:
        return self.coordinators + self.others

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def label_y(self) -> float:
        """Where the total is written: just above the bar."""
        return self.others_y - 5


def stacked_bars(
    series: Sequence[tuple[str, int, int]],
    *,
    plot_width: float = 480,
    plot_height: float = 160,
    gap_ratio: float = 0.4,
) -> list[StackedBar]:
    """Bars of (label, coordinators, others), coordinators at the bottom, heights proportional
    to counts with the tallest bar filling `plot_height`; y grows downwards as in SVG."""
    if not series:
        return []
    tallest = max(c + o for _label, c, o in series) or 1
    slot = plot_width / len(series)
    width = slot * (1 - gap_ratio)
    bars = []
    for index, (label, coordinators, others) in enumerate(series):
        coordinators_height = plot_height * coordinators / tallest
        others_height = plot_height * others / tallest
        coordinators_y = plot_height - coordinators_height
        bars.append(
            StackedBar(
                label=label,
                coordinators=coordinators,
                others=others,
                x=index * slot + (slot - width) / 2,
                width=width,
                coordinators_y=coordinators_y,
                coordinators_height=coordinators_height,
                others_y=coordinators_y - others_height,
                others_height=others_height,
            )
        )
    return bars


def shade_level(value: int | None, highest: int, *, levels: int = 4) -> int:
    """0 for none, else 1..levels in proportion to `highest` (matrix cell shading)."""
    if not value or highest <= 0:
        return 0
    return max(1, min(levels, -(-value * levels // highest)))
