"""The SVG pictures: well-formed, escaped, laid out as promised, and free of inline styles."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from influence_db.public.pictures import (
    TIMELINE_CAP,
    Edge,
    Node,
    TimelineItem,
    heat_level,
    network_svg,
    timeline_svg,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = """<script>alert("x")</script> & 'quoted' "title\""""
ARABIC = "عصائب أهل الحق"  # Asa'ib Ahl al-Haq


def parse(svg: str) -> ET.Element:
    # Also proves the output is well-formed XML.
    return ET.fromstring(svg)


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    return x, y, width, height


def item(key: str, start: date, end: date | None = None, *, title: str | None = None, category: str = "attack"):
    return TimelineItem(
        key=key, title=title or f"Event {key}", start=start, end=end, category=category, url=f"/e/{key}/"
    )


def links(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:a", NS)


def shape(link: ET.Element) -> ET.Element:
    return link.find("svg:circle", NS) if link.find("svg:circle", NS) is not None else link.find("svg:rect", NS)


def left_x(link: ET.Element) -> float:
    element = shape(link)
    return float(element.get("cx") or element.get("x"))


def centre_y(link: ET.Element) -> float:
    element = shape(link)
    if element.get("cy"):
        return float(element.get("cy"))
    return float(element.get("y")) + float(element.get("height")) / 2


def assert_accessible(root: ET.Element) -> None:
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert view_box(root)[2] > 0
    title = root.find("svg:title", NS)
    assert title is not None
    assert root.get("aria-labelledby") == title.get("id")


# --- timeline ---------------------------------------------------------------------------


def test_timeline_links_every_item_in_date_order():
    items = [item("b", date(2014, 6, 10)), item("a", date(2003, 3, 20)), item("c", date(2008, 1, 1))]
    root = parse(timeline_svg(items, title="Events"))
    assert_accessible(root)
    found = links(root)
    assert [a.get("href") for a in found] == ["/e/a/", "/e/c/", "/e/b/"]
    xs = [left_x(a) for a in found]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert found[0].find("svg:title", NS).text == "Event a (2003-03-20)"


def test_timeline_span_is_a_bar_from_start_to_end():
    root = parse(timeline_svg([item("war", date(2003, 3, 20), date(2011, 12, 18))], title="T"))
    (link,) = links(root)
    bar = link.find("svg:rect", NS)
    assert bar is not None and {"tl-event", "tl-span", "tl-attack"} <= classes(bar)
    assert float(bar.get("width")) > 100
    assert link.find("svg:title", NS).text == "Event war (2003-03-20 \u2013 2011-12-18)"


def test_overlapping_items_get_their_own_lanes():
    items = [
        item("a", date(2005, 1, 1)),
        item("b", date(2005, 1, 2)),  # a day later: would cover "a"
        item("span", date(2004, 6, 1), date(2006, 6, 1)),
        item("far", date(2012, 1, 1)),
    ]
    found = {a.get("href"): a for a in links(parse(timeline_svg(items, title="T")))}
    ys = {href: centre_y(a) for href, a in found.items()}
    assert len({ys["/e/a/"], ys["/e/b/"], ys["/e/span/"]}) == 3
    # Nothing is near "far", so it reuses the first lane.
    assert ys["/e/far/"] == min(ys.values())


def tick_years(root: ET.Element) -> list[int]:
    return [int(t.text) for t in root.iter("{http://www.w3.org/2000/svg}text") if "tl-tick-label" in classes(t)]


def tick_xs(root: ET.Element) -> list[float]:
    return [float(t.get("x")) for t in root.iter("{http://www.w3.org/2000/svg}text") if "tl-tick-label" in classes(t)]


def test_ticks_cover_the_span_every_year_when_short():
    root = parse(timeline_svg([item("a", date(2003, 3, 20)), item("b", date(2014, 6, 10))], title="T"))
    years = tick_years(root)
    assert years == list(range(2003, 2016))
    assert years[0] <= 2003 and years[-1] >= 2014


def test_ticks_thin_out_on_a_long_span():
    root = parse(timeline_svg([item("a", date(1979, 2, 11)), item("b", date(2024, 1, 3))], title="T"))
    years = tick_years(root)
    assert years[0] <= 1979 and years[-1] >= 2024
    steps = {b - a for a, b in itertools.pairwise(years)}
    assert len(steps) == 1 and steps.pop() in (5, 10)
    xs = tick_xs(root)
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 40  # room for "1985" without overlap
    # A long span's event still sits between the ticks of its years.
    (first, _) = links(root)
    assert xs[0] <= left_x(first) <= xs[-1]


def test_timeline_escapes_titles_and_urls():
    hostile = TimelineItem("x", HOSTILE, date(2010, 1, 1), None, "attack", "/e/x/?a=1&b=2")
    svg = timeline_svg([hostile], title=HOSTILE)
    assert "<script" not in svg
    assert "/e/x/?a=1&amp;b=2" in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == HOSTILE
    (link,) = links(root)
    assert link.get("href") == "/e/x/?a=1&b=2"
    assert link.find("svg:title", NS).text.startswith(HOSTILE)


def test_timeline_category_becomes_a_safe_class():
    root = parse(timeline_svg([item("a", date(2010, 1, 1), category='Armed "attack"')], title="T"))
    assert classes(shape(links(root)[0])) == {"tl-event", "tl-point", "tl-armed-attack"}


def test_timeline_keeps_arabic_text():
    svg = timeline_svg([item("a", date(2010, 1, 1), title=ARABIC)], title=ARABIC)
    assert ARABIC in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == ARABIC
    assert links(root)[0].find("svg:title", NS).text == f"{ARABIC} (2010-01-01)"


def test_timeline_caps_at_the_earliest_items_and_says_so():
    items = [item(f"e{n:04}", date(1980 + n // 20, 1 + n % 12, 1)) for n in range(TIMELINE_CAP + 100)]
    root = parse(timeline_svg(list(reversed(items)), title="T"))
    found = links(root)
    assert len(found) == TIMELINE_CAP
    assert {a.get("href") for a in found} == {i.url for i in items[:TIMELINE_CAP]}
    caption = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if "tl-caption" in classes(t))
    assert f"first {TIMELINE_CAP} of {TIMELINE_CAP + 100}" in caption.text


def test_timeline_without_items():
    root = parse(timeline_svg([], title="Events"))
    assert_accessible(root)
    assert "No dated events" in "".join(root.itertext())
    assert links(root) == []


def test_timeline_is_deterministic():
    rng = random.Random(7)
    items = [item(f"e{n}", date(rng.randrange(1980, 2020), rng.randrange(1, 13), 1)) for n in range(80)]
    assert timeline_svg(items, title="T") == timeline_svg(list(reversed(items)), title="T")


# --- network ----------------------------------------------------------------------------


def actors() -> list[Node]:
    return [
        Node("iran", "Islamic Republic of Iran", "state", "/actors/iran/"),
        Node("irgc-qf", "IRGC Quds Force", "organization", "/actors/irgc-qf/"),
        Node("aah", ARABIC, "organization", "/actors/aah/"),
        Node("khazali", "Qais al-Khazali", "person", "/actors/khazali/"),
        Node("usa", "United States of America", "state", "/actors/usa/"),
        Node("axis", "Axis of Resistance", "coalition", "/actors/axis/"),
    ]


def relations() -> list[Edge]:
    return [
        Edge("irgc-qf", "aah", "sponsors", "funding and training"),
        Edge("khazali", "aah", "leads", ""),
        Edge("aah", "axis", "member_of", ""),
        Edge("iran", "usa", "rival_of", ""),
        Edge("aah", "irgc-qf", "allied_with", ""),
        Edge("aah", "nobody", "opposes", ""),  # unknown target
        Edge("ghost", "iran", "sponsors", ""),  # unknown source
    ]


def node_circles(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter("{http://www.w3.org/2000/svg}circle") if "node" in classes(c)]


def edge_lines(root: ET.Element) -> list[ET.Element]:
    return [line for line in root.iter("{http://www.w3.org/2000/svg}line") if "edge" in classes(line)]


def test_network_draws_every_node_once_as_a_link():
    root = parse(network_svg(actors(), relations(), title="Actors"))
    assert_accessible(root)
    circles = node_circles(root)
    assert len(circles) == len(actors())
    assert sorted(a.get("href") for a in links(root)) == sorted(n.url for n in actors())
    for link in links(root):
        assert len(link.findall("svg:circle", NS)) == 1
        assert link.find("svg:title", NS).text


def test_network_drops_edges_to_unknown_nodes():
    root = parse(network_svg(actors(), relations(), title="Actors"))
    assert len(edge_lines(root)) == 5
    assert not any("ghost" in t or "nobody" in t for t in root.itertext())


def test_directed_edges_have_arrowheads_and_symmetric_ones_do_not():
    root = parse(network_svg(actors(), relations(), title="Actors"))
    marker_ids = {m.get("id") for m in root.iter("{http://www.w3.org/2000/svg}marker")}
    with_arrow = [line for line in edge_lines(root) if line.get("marker-end")]
    assert len(with_arrow) == 3  # sponsors, leads, member_of
    for line in edge_lines(root):
        if classes(line) & {"edge-allied_with", "edge-rival_of"}:
            assert "edge-symmetric" in classes(line)
            assert line.get("marker-end") is None
        else:
            assert "edge-directed" in classes(line)
            reference = re.fullmatch(r"url\(#(.+)\)", line.get("marker-end"))
            assert reference and reference.group(1) in marker_ids


def test_sponsorship_edges_get_their_own_class():
    root = parse(network_svg(actors(), relations(), title="Actors"))
    sponsoring = [line for line in edge_lines(root) if "edge-sponsors" in classes(line)]
    assert len(sponsoring) == 1
    assert "edge-sponsorship" in classes(sponsoring[0])
    assert sponsoring[0].find("svg:title", NS).text == f"IRGC Quds Force sponsors {ARABIC}: funding and training"
    assert not any("edge-sponsorship" in classes(line) for line in edge_lines(root) if line is not sponsoring[0])


def test_highlighted_node_is_marked():
    root = parse(network_svg(actors(), relations(), title="Actors", highlight="aah"))
    focused = [c for c in node_circles(root) if "node-focus" in classes(c)]
    assert len(focused) == 1
    assert {"node", "node-organization"} <= classes(focused[0])
    link = next(a for a in links(root) if a.find("svg:circle", NS) is focused[0])
    assert link.get("href") == "/actors/aah/"


def test_network_keeps_arabic_labels_and_marks_them_right_to_left():
    svg = network_svg(actors(), relations(), title="Actors")
    assert ARABIC in svg
    root = parse(svg)
    label = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == ARABIC)
    assert label.get("direction") == "rtl"
    latin = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == "IRGC Quds Force")
    assert latin.get("direction") is None


def test_network_escapes_labels_and_truncates_long_ones():
    nodes = [Node("x", HOSTILE + " with a long tail", "person", "/a/x/?q=1&r=2"), Node("y", "Y", "state", "/a/y/")]
    svg = network_svg(nodes, [Edge("x", "y", "opposes", HOSTILE)], title=HOSTILE)
    assert "<script" not in svg
    root = parse(svg)
    link = next(a for a in links(root) if a.get("href") == "/a/x/?q=1&r=2")
    assert link.find("svg:title", NS).text == f"{HOSTILE} with a long tail (person)"
    shown = link.find("svg:text", NS).text
    assert len(shown) == 28 and shown.endswith("…") and HOSTILE.startswith(shown[:-1])


def test_network_legend_lists_groups_and_kinds_present():
    root = parse(network_svg(actors(), relations(), title="Actors"))
    legend = next(g for g in root.iter("{http://www.w3.org/2000/svg}g") if "legend" in classes(g))
    labels = [t.text for t in legend.iter("{http://www.w3.org/2000/svg}text")]
    assert labels == [
        "person", "state", "organization", "coalition",
        "allied with", "leads", "member of", "rival of", "sponsors",
    ]  # fmt: skip
    assert "opposes" not in labels  # its only edge was dropped


def random_network(count: int, edge_count: int, seed: int = 1) -> tuple[list[Node], list[Edge]]:
    rng = random.Random(seed)
    kinds = ["sponsors", "allied_with", "member_of", "rival_of", "opposes", "leads"]
    groups = ["person", "state", "organization", "coalition"]
    nodes = [Node(f"n{i}", f"Actor {i}", groups[i % 4], f"/actors/n{i}/") for i in range(count)]
    edges = [
        Edge(f"n{rng.randrange(count)}", f"n{rng.randrange(count)}", rng.choice(kinds), "") for _ in range(edge_count)
    ]
    return nodes, edges


def test_every_node_lies_inside_the_view_box():
    nodes, edges = random_network(60, 90)
    root = parse(network_svg(nodes, edges, title="T"))
    x0, y0, width, height = view_box(root)
    assert len(node_circles(root)) == 60
    for circle in node_circles(root):
        cx, cy, r = (float(circle.get(a)) for a in ("cx", "cy", "r"))
        assert x0 <= cx - r and cx + r <= x0 + width
        assert y0 <= cy - r and cy + r <= y0 + height


def test_nodes_do_not_pile_up():
    nodes, edges = random_network(40, 60)
    root = parse(network_svg(nodes, edges, title="T"))
    points = {(c.get("cx"), c.get("cy")) for c in node_circles(root)}
    assert len(points) == 40


def test_network_layout_is_deterministic():
    nodes, edges = random_network(50, 80)
    first = network_svg(nodes, edges, title="T", highlight="n3")
    assert network_svg(nodes, edges, title="T", highlight="n3") == first
    # The order the query returned the rows in does not matter either.
    assert network_svg(nodes[::-1], edges[::-1], title="T", highlight="n3") == first


@pytest.mark.parametrize("edges", [[], [Edge("iran", "nobody", "sponsors", "")]])
def test_network_without_relations(edges):
    root = parse(network_svg(actors(), edges, title="Actors"))
    assert_accessible(root)
    assert "No relations" in "".join(root.itertext())
    assert links(root) == []


def test_no_inline_styles_or_scripts_anywhere():
    nodes, edges = random_network(30, 40)
    svgs = [
        network_svg(nodes, edges, title="T", highlight="n1"),
        network_svg([], [], title="T"),
        timeline_svg([item("a", date(2003, 1, 1)), item("b", date(2004, 1, 1), date(2006, 1, 1))], title="T"),
        timeline_svg([], title="T"),
    ]
    for svg in svgs:
        assert "style=" not in svg
        assert "<script" not in svg
        for element in parse(svg).iter():
            assert "style" not in element.attrib
            assert not any(name.startswith("on") for name in element.attrib)


# --- heat -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "maximum", "levels", "expected"),
    [
        (0, 10, 5, 0),
        (-1, 10, 5, 0),
        (0, 0, 5, 0),
        (1, 10, 5, 1),
        (2, 10, 5, 1),
        (3, 10, 5, 2),
        (9, 10, 5, 5),
        (10, 10, 5, 5),
        (11, 10, 5, 5),  # a stale maximum does not overflow the scale
        (1, 0, 5, 5),
        (1, 1000, 5, 1),  # anything at all is visible
        (2, 4, 3, 2),
    ],
)
def test_heat_level(count, maximum, levels, expected):
    assert heat_level(count, maximum, levels) == expected
