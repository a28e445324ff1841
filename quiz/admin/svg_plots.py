"""Small server-side SVG charts for the statistics page: no script, no external request.

Four plain charts (a histogram, a scatter, curves, with axes and labels) do not justify a
plotting library of tens of megabytes; each is an accessible <svg role="img"> with a title.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 44
COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    highlighted: bool = False


class _Frame:
    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float]):
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        if self.x1 == self.x0:
            self.x1 = self.x0 + 1
        if self.y1 == self.y0:
            self.y1 = self.y0 + 1

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round steps (1, 2 or 5 × a power of ten) from low to at most high."""
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _axes(frame: _Frame, x_label: str, y_label: str) -> list[str]:
    parts = [f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>']
    for value in _ticks(frame.x0, frame.x1):
        x = frame.x(value)
        parts.append(f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM + 4}" '
                     f'stroke="#333"/><text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f'{value:g}</text>')
    for value in _ticks(frame.y0, frame.y1):
        y = frame.y(value)
        parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#333"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 8}" text-anchor="middle">'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(14 {(TOP + HEIGHT - BOTTOM) / 2:.0f}) rotate(-90)" '
                 f'text-anchor="middle">{escape(y_label)}</text>')
    return parts


def _svg(title: str, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
                  f'height="{HEIGHT}" role="img" '
                  f'class="chart" font-size="11" font-family="sans-serif"><title>{escape(title)}</title>'
                  f'<text x="{LEFT}" y="16" font-weight="bold">{escape(title)}</text>{body}</svg>')


def histogram(values: Sequence[float], title: str, x_label: str, bins: int = 20,
              x_range: tuple[float, float] = (0, 100)) -> Markup:
    low, high = x_range
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int((value - low) / width)))] += 1
    frame = _Frame(x_range, (0, max(counts + [1])))
    parts = _axes(frame, x_label, "attempts")
    for i, count in enumerate(counts):
        x0, x1 = frame.x(low + i * width), frame.x(low + (i + 1) * width)
        y = frame.y(count)
        parts.append(f'<rect x="{x0 + 1:.1f}" y="{y:.1f}" width="{x1 - x0 - 2:.1f}" '
                     f'height="{frame.y(0) - y:.1f}" fill="{COLOURS[0]}"><title>{low + i * width:g}–'
                     f'{low + (i + 1) * width:g}: {count}</title></rect>')
    return _svg(title, parts)


def scatter(points: Sequence[Point], title: str, x_label: str, y_label: str, x_range: tuple[float, float],
            y_range: tuple[float, float], guides_x: Sequence[float] = (), guides_y: Sequence[float] = ()) -> Markup:
    frame = _Frame(x_range, y_range)
    parts = _axes(frame, x_label, y_label)
    for value in guides_x:
        parts.append(f'<line x1="{frame.x(value):.1f}" y1="{TOP}" x2="{frame.x(value):.1f}" '
                     f'y2="{HEIGHT - BOTTOM}" stroke="#999" stroke-dasharray="4 3"/>')
    for value in guides_y:
        parts.append(f'<line x1="{LEFT}" y1="{frame.y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{frame.y(value):.1f}" '
                     f'stroke="#999" stroke-dasharray="4 3"/>')
    for point in points:
        x = frame.x(min(max(point.x, frame.x0), frame.x1))
        y = frame.y(min(max(point.y, frame.y0), frame.y1))
        colour = COLOURS[1] if point.highlighted else COLOURS[0]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" fill-opacity="0.8">'
                     f'<title>{escape(point.label)}: {point.x:.2f}, {point.y:.2f}</title></circle>')
    return _svg(title, parts)


def curves(x: Sequence[float], series: Sequence[tuple[str, Sequence[float]]], title: str, x_label: str,
           y_label: str, y_range: tuple[float, float] | None = None,
           marker: tuple[str, float] | None = None) -> Markup:
    top = max((max(values) for _, values in series), default=1.0)
    frame = _Frame((x[0], x[-1]), y_range or (0, top * 1.05 or 1))
    parts = _axes(frame, x_label, y_label)
    for i, (label, values) in enumerate(series):
        path = " ".join(f"{'M' if j == 0 else 'L'}{frame.x(px):.1f},{frame.y(py):.1f}"
                        for j, (px, py) in enumerate(zip(x, values)))
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"><title>{escape(label)}'
                     f'</title></path>')
        parts.append(f'<text x="{WIDTH - RIGHT - 4}" y="{TOP + 14 * (i + 1)}" text-anchor="end" fill="{colour}">'
                     f'{escape(label)}</text>')
    if marker is not None:
        label, value = marker
        mx = frame.x(value)
        parts.append(f'<line x1="{mx:.1f}" y1="{TOP}" x2="{mx:.1f}" y2="{HEIGHT - BOTTOM}" stroke="{COLOURS[1]}" '
                     f'stroke-dasharray="5 3"/><text x="{mx + 4:.1f}" y="{TOP + 10}" fill="{COLOURS[1]}">'
                     f'{escape(label)}</text>')
    return _svg(title, parts)
