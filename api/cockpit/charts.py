"""Charts as inline SVG, drawn on the server: no script, no chart library, no fetch.

Invariant: every text in a chart is escaped, and each mark carries a <title> with its
exact figure, so the chart reads without a mouse and the table below it holds the same
numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 24, 24  # the legend sits above the plot
COLOURS = ("#0b6bcb", "#c62828", "#e08a00")


def _frame(label: str, body: list[str], ticks: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="kms-chart" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'font-size="11" font-family="system-ui, sans-serif">'
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#8c959f"/>' + "".join(ticks) + "".join(body) + "</svg>"
    )


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + span * (index + 0.5) / max(count, 1)


def _y(value: float, top: float) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (value / top if top else 0)


def _day_ticks(days: Sequence[dt.date]) -> list[str]:
    """About eight day labels, the last day always among them."""
    every = max(1, len(days) // 8)
    shown = {i for i in range(len(days)) if (len(days) - 1 - i) % every == 0}
    return [
        f'<text x="{_x(i, len(days)):.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
        f'fill="#59636e">{day:%m-%d}</text>'
        for i, day in enumerate(days)
        if i in shown
    ]


def _rounded_up(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at least `value` (at least 1): the axis' top."""
    step = 1.0
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def _value_ticks(top: float, fmt: str) -> list[str]:
    return [
        f'<text x="{LEFT - 6}" y="{_y(value, top) + 4:.1f}" text-anchor="end" fill="#59636e">'
        f"{escape(fmt.format(value))}</text>"
        f'<line x1="{LEFT}" y1="{_y(value, top):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{_y(value, top):.1f}" stroke="#eaeef2"/>'
        for value in (0, top / 2, top)
    ]


def bars(label: str, days: Sequence[dt.date], values: Sequence[int]) -> SafeString:
    """One bar per day."""
    top = _rounded_up(max(values, default=0))
    width = max(1.0, (WIDTH - LEFT - RIGHT) / max(len(days), 1) * 0.7)
    body = [
        f'<rect x="{_x(i, len(days)) - width / 2:.1f}" y="{_y(value, top):.1f}" '
        f'width="{width:.1f}" height="{_y(0, top) - _y(value, top):.1f}" fill="{COLOURS[0]}">'
        f"<title>{day:%Y-%m-%d}: {value}</title></rect>"
        for i, (day, value) in enumerate(zip(days, values, strict=True))
    ]
    return _frame(label, body, _day_ticks(days) + _value_ticks(top, "{:g}"))


def shares(
    label: str, days: Sequence[dt.date], series: Sequence[tuple[str, Sequence[float | None]]]
) -> SafeString:
    """One line per named series of shares (0…1) by day; a day without calls is a gap."""
    body: list[str] = []
    for colour, (name, values) in zip(COLOURS[1:], series, strict=False):
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            point = f"{_x(i, len(days)):.1f},{_y(value, 1.0):.1f}"
            runs[-1].append(point)
            body.append(
                f'<circle cx="{point.split(",")[0]}" cy="{point.split(",")[1]}" r="3.5" '
                f'fill="{colour}"><title>{escape(name)} {days[i]:%Y-%m-%d}: '
                f"{value:.1%}</title></circle>"
            )
        body += [
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
            for run in runs
            if len(run) > 1
        ]
    legend = [
        f'<text x="{LEFT + 160 * n}" y="{TOP - 10}" fill="{colour}">■ {escape(name)}</text>'
        for n, (colour, (name, _)) in enumerate(zip(COLOURS[1:], series, strict=False))
    ]
    return _frame(label, body + legend, _day_ticks(days) + _value_ticks(1.0, "{:.0%}"))
