"""Charts as server-rendered SVG (pygal), fit for the strict Content-Security-Policy.

pygal's SVG carries a `<script>` (its tooltip configuration, and by default a script from a CDN):
both are removed, so nothing in the page runs or loads from outside. Its `<style>` stays (scoped
to the chart's id; the policy allows inline styles). Each chart gets a `<title>` and a `<desc>`
that `role="img"` and `aria-labelledby` hand to screen readers; the page shows the same numbers
in a table beside the chart.
"""

from dataclasses import dataclass
from xml.etree import ElementTree

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

SVG_NS = "http://www.w3.org/2000/svg"
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#9aa5b1",
    opacity=".9",
    opacity_hover="1",
    colors=("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=16,
)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    horizontal: bool = False,
    wide: bool = False,
) -> SafeString:
    """A bar chart (grouped when several series) as inline SVG. `key` makes the ids unique;
    `wide` charts span the page, the others half of it (their text is drawn to match)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    many = len(labels) > 16  # a month of days: label every few, keep the bars
    chart = kind(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=1000 if wide else 520,
        height=(max(240, 34 * len(labels) * len(series) + 90) if horizontal else 340),
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=not many,
        print_zeroes=False,
        x_label_rotation=0 if horizontal or len(labels) <= 8 else 30,
        show_minor_x_labels=not many,
        x_labels_major_every=max(2, len(labels) // 10) if many else None,
        truncate_label=-1,
        min_scale=1,
        max_scale=8,
        margin=8,
        no_data_text="No data in this period",
    )
    chart.x_labels = labels
    for one in series:
        chart.add(one.name, one.values)
    return _accessible_svg(chart, key=key, title=title, description=description)


def _accessible_svg(chart, *, key: str, title: str, description: str) -> SafeString:
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if _local(child.tag) == "script":
                parent.remove(child)
    tree.attrib.pop("xmlns", None)  # pygal sets it by hand; ElementTree writes its own
    tree.set("role", "img")
    tree.set("aria-labelledby", f"chart-{key}-title chart-{key}-desc")
    tree.set("class", "chart")
    title_node = ElementTree.Element(f"{{{SVG_NS}}}title", id=f"chart-{key}-title")
    title_node.text = title
    desc_node = ElementTree.Element(f"{{{SVG_NS}}}desc", id=f"chart-{key}-desc")
    desc_node.text = description
    tree.insert(0, desc_node)
    tree.insert(0, title_node)
    ElementTree.register_namespace("", SVG_NS)
    svg = ElementTree.tostring(tree, encoding="unicode")
    return mark_safe(svg)  # noqa: S308 -- built by ElementTree, which escapes every text node


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
