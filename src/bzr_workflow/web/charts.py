"""Figures drawn on the server as SVG (no JavaScript): a period's grades per unit, each
indicator's average against its maximum, a gauge of a grade quota's places, a month's
allowance per unit. 360 units wide, so a 375 px phone shows them at their own size; every text
escaped; the words around them (headings, legends of what is not data) come from the template."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

WIDTH = 360
PAD = 8
FONT = 'font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"'
PALETTE = ["#c0392b", "#2e86c1", "#27ae60", "#e0a526", "#8e44ad", "#16a085", "#7f8c8d"]
NONE = "#b8b8b8"


def _svg(height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-label="{escape(label)}" class="chart" {FONT} '
        f'font-size="13"><title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text: Any, anchor: str = "start", size: int = 13,
          fill: str = "#222", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}" font-weight="{weight}">{escape(str(text))}</text>')


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str = "") -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
            f'fill="{fill}">{tip}</rect>')


def _legend(entries: Sequence[tuple[str, str]], y: float) -> tuple[list[str], float]:
    body, x = [], float(PAD)
    for label, colour in entries:
        width = 22 + 13 * len(label)
        if x + width > WIDTH - PAD:
            x, y = float(PAD), y + 20
        body += [_rect(x, y - 11, 12, 12, colour), _text(x + 16, y, label)]
        x += width + 10
    return body, y + 14


def grade_colours(grades: Sequence[str]) -> dict[str, str]:
    return {grade: PALETTE[i % len(PALETTE)] for i, grade in enumerate(grades)}


def grades(figures: dict[str, Any], ungraded: str, label: str) -> Markup:
    """One stacked bar per unit, a segment per grade (in the policy's order), its count on it;
    `ungraded`: the word for results without a grade yet."""
    order = list(figures["grades"])
    colours = grade_colours(order) | {"": NONE}
    shown = [g for g in order if any(g in u["counts"] for u in figures["distribution"])]
    if any("" in u["counts"] for u in figures["distribution"]):
        shown.append("")
    body, y = _legend([(g or ungraded, colours[g]) for g in shown], 18.0)
    most = max((sum(u["counts"].values()) for u in figures["distribution"]), default=0) or 1
    track = WIDTH - 2 * PAD - 30
    for unit in figures["distribution"]:
        total = sum(unit["counts"].values())
        body.append(_text(PAD, y + 10, unit["name"], weight="bold"))
        x, top = float(PAD), y + 16
        for grade in shown:
            n = unit["counts"].get(grade, 0)
            if not n:
                continue
            w = track * n / most
            body.append(_rect(x, top, w, 22, colours[grade], f"{grade or ungraded}: {n}"))
            if w >= 16:
                body.append(_text(x + w / 2, top + 16, n, "middle", fill="#fff", weight="bold"))
            x += w
        body.append(_text(x + 4, top + 16, total, fill="#444"))
        y = top + 30
    return _svg(y + 4, body, label)


def indicators(figures: dict[str, Any], label: str) -> Markup:
    """Each indicator's average as a bar over its maximum (the track), average / maximum
    written beside it; an indicator nobody was scored on shows an empty track and "—"."""
    body, y = [], 6.0
    track = WIDTH - 2 * PAD - 86
    for item in figures["indicators"]:
        body.append(_text(PAD, y + 13, item["label"]))
        top = y + 19
        body.append(_rect(PAD, top, track, 14, "#e6e6e6"))
        average = item["average"]
        if average is not None and item["max"]:
            share = min(max(average / item["max"], 0.0), 1.0)
            body.append(_rect(PAD, top, track * share, 14, PALETTE[1],
                              f"{item['label']}: {average:g} / {item['max']:g}"))
        shown = "—" if average is None else f"{average:g}"
        body.append(_text(WIDTH - PAD, top + 12, f"{shown} / {item['max']:g}", "end"))
        y = top + 22
    return _svg(y + 2, body, label)


def gauge(quota: dict[str, Any], label: str) -> Markup:
    """A half-circle gauge: the places the quota gives, those taken (red when all are)."""
    places, taken = quota["places"], quota["taken"]
    share = 1.0 if places == 0 else min(taken / places, 1.0)
    cx, cy, r = WIDTH / 2, 104.0, 80.0

    def point(fraction: float) -> tuple[float, float]:
        angle = math.pi * (1 - fraction)
        return cx + r * math.cos(angle), cy - r * math.sin(angle)

    def arc(fraction: float, colour: str) -> str:
        (x0, y0), (x1, y1) = point(0), point(fraction)
        return (f'<path d="M {x0:.1f} {y0:.1f} A {r} {r} 0 0 1 {x1:.1f} {y1:.1f}" fill="none" '
                f'stroke="{colour}" stroke-width="18"/>')

    body = [arc(1.0, "#e6e6e6")]
    if share > 0:
        body.append(arc(share if share < 1 else 0.9999,
                        PALETTE[0] if taken >= places else PALETTE[2]))
    body += [_text(cx, cy - 14, f"{taken} / {places}", "middle", 26, weight="bold"),
             _text(cx, cy + 6, quota["grade"], "middle", 14),
             _text(cx - r, cy + 24, "0", "middle", 12, "#666"),
             _text(cx + r, cy + 24, places, "middle", 12, "#666"),
             _text(cx, cy + 26, f"{quota['share'] * 100:g} % × {quota['roster']}", "middle",
                   12, "#666")]
    return _svg(cy + 34, body, label)


def allowance(figures: dict[str, Any], label: str) -> Markup:
    """Each unit's allowance per month: a bar per month (the legend names the months), the
    amount in yuan written at its end."""
    months = list(figures["months"])
    colours = {m: PALETTE[(i + 1) % len(PALETTE)] for i, m in enumerate(months)}
    body, y = _legend([(m, colours[m]) for m in months], 18.0)
    most = max((v for u in figures["units"] for v in u["totals"].values()), default=0) or 1
    track = WIDTH - 2 * PAD - 70
    for unit in figures["units"]:
        body.append(_text(PAD, y + 10, unit["name"], weight="bold"))
        y += 16
        for month in months:
            value = unit["totals"].get(month, 0.0)
            body.append(_rect(PAD, y, track * value / most, 14, colours[month],
                              f"{unit['name']} {month}: {value:.2f}"))
            body.append(_text(PAD + track * value / most + 4, y + 12, f"{value:.2f}", size=12))
            y += 18
        y += 8
    return _svg(y, body, label)
