"""SVG charts for the reports and the web console: one module, one look (pygal).

Every chart is a self-contained SVG string: no JavaScript (pygal's inline config `<script>` is
removed from the tree; `js=[]` drops its CDN script), no XML declaration (it is embedded in
HTML), no comments (pygal's carry its home page), no external reference — the font is named
("Noto Sans CJK SC", the records' font) and resolved by whoever renders the SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from pygal.style import Style

FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
COLORS = ("#b22222", "#1f5f8b", "#d98c1f", "#2e8b57", "#6a4c93", "#8c564b", "#7f7f7f")

STYLE = Style(
    font_family=FONT,
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=COLORS,
    title_font_size=14,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    value_font_size=10,
)


def _config(width: int, height: int, **extra: Any) -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": STYLE,
        "width": width,
        "height": height,
        "print_values": True,
        "explicit_size": True,
        **extra,
    }


def _render(chart: Any) -> str:
    """The chart's SVG without scripts or comments."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.endswith("script") or not isinstance(child.tag, str):
                parent.remove(child)
            elif child.get("id", "").startswith("activate-serie"):
                del child.attrib["id"]  # legend toggles (scripted); ids clash between charts
    from pygal.etree import etree

    text: str = etree.tostring(tree, encoding="unicode")
    return text


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    horizontal: bool = False,
    width: int = 640,
    height: int = 300,
    max_value: float | None = None,
) -> str:
    """Bars of one or more series over `labels` (e.g. letters by department, this vs last)."""
    cls = pygal.HorizontalBar if horizontal else pygal.Bar
    extra: dict[str, Any] = {"show_legend": len(series) > 1, "x_label_rotation": 0}
    if max_value is not None:
        extra["range"] = (0, max_value)
    chart = cls(**_config(width, height, **extra))
    chart.title = title
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart)


def pie_chart(title: str, parts: Sequence[tuple[str, float]], *, size: int = 300) -> str:
    """A pie of `parts` (e.g. the satisfaction distribution); empty parts are left out."""
    chart = pygal.Pie(**_config(size + 160, size, inner_radius=0.4, legend_at_bottom=False))
    chart.title = title
    for name, value in parts:
        if value:
            chart.add(name, value)
    return _render(chart)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 640,
    height: int = 280,
) -> str:
    """Lines over `labels` (e.g. letters per day, this period against the previous one)."""
    chart = pygal.Line(**_config(width, height, show_legend=len(series) > 1, print_values=False))
    chart.title = title
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart)
