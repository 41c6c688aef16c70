"""Server-rendered SVG pictures for the public site: an event timeline and an actor network.

The site's Content-Security-Policy forbids inline styles and scripts, so the SVG carries
only presentation attributes (sensible defaults, so a picture reads without the stylesheet)
and class names for the stylesheet to override. Every piece of markup goes through
format_html, which escapes the user's text; the functions are pure and deterministic, so
the same data always gives the same bytes (and caches and tests can rely on that).
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SVG_NS = "http://www.w3.org/2000/svg"
EN_DASH = "\u2013"  # for ranges of dates and years

# Beyond this the picture is a smear of dots; the page links to the full list instead.
TIMELINE_CAP = 500
# Relations that read the same both ways get no arrowhead.
SYMMETRIC_KINDS = frozenset({"allied_with", "rival_of"})
SPONSORSHIP_KIND = "sponsors"
LABEL_LIMIT = 28
# The layout is part of the output, so its randomness is fixed.
LAYOUT_SEED = 1979
LAYOUT_ITERATIONS = 60
# Legend order for the actor kinds; any other group follows alphabetically.
GROUP_ORDER = ("person", "state", "organization", "coalition")


@dataclass(frozen=True, slots=True)
class TimelineItem:
    key: str
    title: str
    start: date
    end: date | None
    category: str
    url: str


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    label: str
    group: str
    url: str


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    label: str


def heat_level(count: int, maximum: int, levels: int = 5) -> int:
    """The CSS heat class (0..levels) for `count` out of `maximum`: 0 only for nothing at all."""
    if count <= 0:
        return 0
    maximum = max(maximum, count)  # a stale maximum must not push a cell past the top level
    return min(levels, max(1, -(-count * levels // maximum)))


# --- shared helpers -------------------------------------------------------------------


def _num(value: float) -> str:
    # One decimal is finer than a pixel and keeps the output short and stable.
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _token(value: str) -> str:
    """`value` made safe to use inside a class name (escaping alone would allow spaces)."""
    return re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-") or "other"


def _join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _picture_id(kind: str, title: str, keys: Iterable[str]) -> str:
    # Ids must be unique on the page (two pictures may share one) yet stable across renders.
    digest = hashlib.blake2s(digest_size=5)
    for part in (kind, title, *keys):
        digest.update(part.encode())
        digest.update(b"\0")
    return f"{kind}-{digest.hexdigest()}"


def _svg(kind: str, pid: str, title: str, width: float, height: float, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="{}" class="picture picture-{}" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title" font-family="sans-serif" font-size="11">'
        '<title id="{}-title">{}</title>{}</svg>',
        SVG_NS,
        kind,
        _num(width),
        _num(height),
        pid,
        pid,
        title,
        body,
    )


def _message_svg(kind: str, title: str, message: str) -> SafeString:
    pid = _picture_id(kind, title, ())
    body = format_html('<text class="picture-empty" x="200" y="25" text-anchor="middle">{}</text>', message)
    return _svg(kind, pid, title, 400, 40, body)


def _is_rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (Arabic, Persian, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


# --- timeline -------------------------------------------------------------------------

TL_WIDTH = 1000
TL_MARGIN = 40
TL_RADIUS = 5
TL_LANE = 14
TL_GAP = 2  # pixels between neighbours in one lane
TL_MIN_TICK_GAP = 48  # room for a four-digit year label
TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)


def _year_fraction(day: date) -> float:
    days_in_year = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.toordinal() - date(day.year, 1, 1).toordinal()) / days_in_year


def _year_ticks(first: int, last: int, plot_width: float) -> tuple[int, int, int]:
    """(axis start, axis end, step): whole steps covering the years first..last, labels apart."""
    for step in TICK_STEPS:
        low = first // step * step
        high = -(-(last + 1) // step) * step  # the end of the last year
        if plot_width * step / (high - low) >= TL_MIN_TICK_GAP:
            break
    return low, high, step


def _date_range(item: TimelineItem) -> str:
    if item.end and item.end > item.start:
        return f"{item.start.isoformat()} {EN_DASH} {item.end.isoformat()}"
    return item.start.isoformat()


def timeline_svg(items: Sequence[TimelineItem], *, title: str) -> SafeString:
    """The dated items on a horizontal year axis, each a dot (or a bar for a span) linking to its page."""
    if not items:
        return _message_svg("timeline", title, "No dated events")
    ordered = sorted(items, key=lambda i: (i.start, i.end or i.start, i.title, i.key))
    shown = ordered[:TIMELINE_CAP]
    ends = [max(i.start, i.end) if i.end else i.start for i in shown]

    plot_width = TL_WIDTH - 2 * TL_MARGIN
    low, high, step = _year_ticks(min(i.start.year for i in shown), max(d.year for d in ends), plot_width)

    def x_of(day: date) -> float:
        return TL_MARGIN + (_year_fraction(day) - low) / (high - low) * plot_width

    # Greedy lanes: each item, in date order, takes the first lane that is free where it starts.
    lane_ends: list[float] = []
    placed = []
    for item, end in zip(shown, ends, strict=True):
        x0, x1 = x_of(item.start), x_of(end)
        if x1 - x0 < 2 * TL_RADIUS:
            x1 = x0  # too short to show as a bar: a dot
        left, right = x0 - TL_RADIUS, x1 + TL_RADIUS
        lane = next((n for n, lane_end in enumerate(lane_ends) if lane_end + TL_GAP <= left), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(right)
        else:
            lane_ends[lane] = right
        placed.append((item, x0, x1, lane))

    top = 34
    axis_y = top + len(lane_ends) * TL_LANE + 6
    height = axis_y + 28

    if len(ordered) > len(shown):
        caption = f"Showing the first {len(shown)} of {len(ordered)} dated events by date; see the full list."
    else:
        first_year, last_year = shown[0].start.year, max(d.year for d in ends)
        years = str(first_year) if first_year == last_year else f"{first_year}{EN_DASH}{last_year}"
        caption = f"{len(shown)} dated event{'s' if len(shown) != 1 else ''}, {years}"

    parts = [format_html('<text class="tl-caption" x="{}" y="16">{}</text>', TL_MARGIN, caption)]
    parts.append(
        format_html(
            '<line class="tl-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666" stroke-width="1"/>',
            TL_MARGIN,
            axis_y,
            TL_WIDTH - TL_MARGIN,
            axis_y,
        )
    )
    for year in range(low, high + 1, step):
        x = _num(TL_MARGIN + (year - low) / (high - low) * plot_width)
        parts.append(
            format_html(
                '<g class="tl-tick"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666" stroke-width="1"/>'
                '<text class="tl-tick-label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                x,
                axis_y,
                x,
                axis_y + 5,
                x,
                axis_y + 18,
                year,
            )
        )
    for item, x0, x1, lane in placed:
        cy = top + lane * TL_LANE + TL_LANE / 2
        category = _token(item.category)
        if x1 > x0:
            shape = format_html(
                '<rect class="tl-event tl-span tl-{}" x="{}" y="{}" width="{}" height="{}" rx="{}" '
                'fill="#4a6fa5" fill-opacity="0.85"/>',
                category,
                _num(x0 - TL_RADIUS),
                _num(cy - TL_RADIUS),
                _num(x1 - x0 + 2 * TL_RADIUS),
                2 * TL_RADIUS,
                TL_RADIUS,
            )
        else:
            shape = format_html(
                '<circle class="tl-event tl-point tl-{}" cx="{}" cy="{}" r="{}" fill="#4a6fa5"/>',
                category,
                _num(x0),
                _num(cy),
                TL_RADIUS,
            )
        parts.append(
            format_html(
                '<a class="tl-link" href="{}"><title>{} ({})</title>{}</a>',
                item.url,
                item.title,
                _date_range(item),
                shape,
            )
        )
    pid = _picture_id("timeline", title, (i.key for i in shown))
    return _svg("timeline", pid, title, TL_WIDTH, height, _join(parts))


# --- network --------------------------------------------------------------------------

NET_WIDTH = 1000
NET_MARGIN = 20
NET_LABEL_ROOM = 170  # to the right of the rightmost node: about 28 characters
NET_RADIUS = 6
NET_FOCUS_RADIUS = 9
NET_PARALLEL_OFFSET = 5  # between several relations of one pair
LEGEND_ROW = 20


def _layout(count: int, links: Sequence[tuple[int, int]], width: float, height: float) -> list[tuple[float, float]]:
    """Fruchterman-Reingold positions, started in [0, width] x [0, height].

    Repulsion uses the grid variant from the original paper (only nodes closer than 2k
    push each other), which makes an iteration roughly linear in the number of nodes; a
    weak pull to the centre keeps unconnected parts from drifting apart.
    """
    if count == 1:
        return [(width / 2, height / 2)]
    rng = random.Random(LAYOUT_SEED)
    xs = [rng.uniform(0, width) for _ in range(count)]
    ys = [rng.uniform(0, height) for _ in range(count)]
    k = math.sqrt(width * height / count)
    k2 = k * k
    cell = 2 * k
    reach2 = cell * cell
    # A pull that, at the frame's edge, matches the push of a neighbour at distance k.
    gravity = k / max(width, height)  # weak: the crowded centre needs room for its labels
    cx, cy = width / 2, height / 2
    temperature = width / 10
    cooling = temperature / LAYOUT_ITERATIONS
    # The cell itself and the half of its neighbours "ahead" of it: each pair of cells once.
    ahead = ((1, 0), (-1, 1), (0, 1), (1, 1))

    for _ in range(LAYOUT_ITERATIONS):
        dx = [0.0] * count
        dy = [0.0] * count
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(count):
            grid.setdefault((int(xs[i] // cell), int(ys[i] // cell)), []).append(i)

        for (gx, gy), members in grid.items():
            further = [j for ox, oy in ahead for j in grid.get((gx + ox, gy + oy), ())]
            for a, i in enumerate(members):
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                # Written out rather than as a helper: this loop is nearly all of the time.
                for j in members[a + 1 :] + further:
                    ddx, ddy = xi - xs[j], yi - ys[j]
                    d2 = ddx * ddx + ddy * ddy
                    if d2 >= reach2:
                        continue
                    if d2 < 1e-6:  # coincident: part them along a fixed direction
                        ddx, ddy, d2 = (i - j) * 0.01, 0.01, 1e-4 * ((i - j) ** 2 + 1)
                    factor = k2 / d2  # (k²/d) along the unit vector (ddx/d, ddy/d)
                    fx += ddx * factor
                    fy += ddy * factor
                    dx[j] -= ddx * factor
                    dy[j] -= ddy * factor
                dx[i] += fx
                dy[i] += fy

        for u, v in links:
            ddx, ddy = xs[u] - xs[v], ys[u] - ys[v]
            d = math.sqrt(ddx * ddx + ddy * ddy)
            factor = d / k  # (d²/k) along the unit vector
            dx[u] -= ddx * factor
            dy[u] -= ddy * factor
            dx[v] += ddx * factor
            dy[v] += ddy * factor

        for i in range(count):
            fx = dx[i] + (cx - xs[i]) * gravity
            fy = dy[i] + (cy - ys[i]) * gravity
            length = math.sqrt(fx * fx + fy * fy)
            if length > 0:
                step = min(length, temperature) / length
                # No clamping to the frame (it lines nodes up along the walls); _fit rescales.
                xs[i] += fx * step
                ys[i] += fy * step
        temperature -= cooling
    return list(zip(xs, ys, strict=True))


def _fit(points: Sequence[tuple[float, float]], left: float, top: float, right: float, bottom: float):
    """`points` scaled into the box, keeping the spread in each direction (centred when flat)."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)

    def scale(value: float, lo: float, hi: float, start: float, end: float) -> float:
        return (start + end) / 2 if hi - lo < 1e-9 else start + (value - lo) / (hi - lo) * (end - start)

    return [(scale(x, lo_x, hi_x, left, right), scale(y, lo_y, hi_y, top, bottom)) for x, y in points]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1].rstrip() + "…"


def _humanize(kind: str) -> str:
    return kind.replace("_", " ")


def _group_sort_key(group: str) -> tuple[int, str]:
    return (GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER), group)


def _marker_for(kind: str, pid: str) -> str:
    if kind in SYMMETRIC_KINDS:
        return ""
    return f"url(#{pid}-arrow-sponsors)" if kind == SPONSORSHIP_KIND else f"url(#{pid}-arrow)"


def _edge_attrs(kind: str) -> tuple[str, str, str]:
    """(class, default stroke, default width) of an edge of this kind."""
    classes = f"edge edge-{_token(kind)} " + ("edge-symmetric" if kind in SYMMETRIC_KINDS else "edge-directed")
    if kind == SPONSORSHIP_KIND:
        return classes + " edge-sponsorship", "#b5482b", "2.5"
    return classes, "#999", "1"


def _legend(groups: Sequence[str], kinds: Sequence[str], pid: str) -> tuple[SafeString, float]:
    """The legend row(s) across the top, wrapping at the picture's width, and their height."""
    entries = [("group", g) for g in groups] + [("kind", k) for k in kinds]
    parts = []
    x, row = NET_MARGIN, 0
    for what, name in entries:
        text = name if what == "group" else _humanize(name)
        width = 30 + 6.5 * len(text) + 14
        if x + width > NET_WIDTH - NET_MARGIN and x > NET_MARGIN:
            x, row = NET_MARGIN, row + 1
        y = 14 + row * LEGEND_ROW
        if what == "group":
            swatch = format_html(
                '<circle class="legend-swatch node-{}" cx="{}" cy="{}" r="{}" fill="#777"/>',
                _token(name),
                _num(x + 12),
                y,
                NET_RADIUS,
            )
        else:
            classes, stroke, stroke_width = _edge_attrs(name)
            marker = _marker_for(name, pid)
            swatch = format_html(
                '<line class="legend-swatch {}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>',
                classes.replace("edge ", "", 1),  # not "edge": that class counts the drawn relations
                _num(x),
                y,
                _num(x + 24),
                y,
                stroke,
                stroke_width,
                format_html(' marker-end="{}"', marker) if marker else "",
            )
        parts.append(
            format_html(
                '<g class="legend-item">{}<text class="legend-label" x="{}" y="{}">{}</text></g>',
                swatch,
                _num(x + 30),
                y + 4,
                text,
            )
        )
        x += width
    height = (row + 1) * LEGEND_ROW + 8
    return format_html('<g class="legend">{}</g>', _join(parts)), height


def network_svg(
    nodes: Sequence[Node], edges: Sequence[Edge], *, title: str, highlight: str | None = None
) -> SafeString:
    """The actors as linked dots and their relations as lines (arrows for one-way relations)."""
    by_key: dict[str, Node] = {}
    for node in sorted(nodes, key=lambda n: n.key):
        by_key.setdefault(node.key, node)
    # Sorted, so the picture does not depend on the order the query happened to return.
    kept = sorted(
        {e for e in edges if e.source in by_key and e.target in by_key and e.source != e.target},
        key=lambda e: (e.kind == SPONSORSHIP_KIND, e.source, e.target, e.kind, e.label),
    )
    if not kept:
        return _message_svg("network", title, "No relations")

    keys = list(by_key)
    index = {key: n for n, key in enumerate(keys)}
    pid = _picture_id("network", title, [*keys, *(f"{e.source}>{e.target}:{e.kind}" for e in kept)])

    groups = sorted({n.group for n in by_key.values()}, key=_group_sort_key)
    kinds = sorted({e.kind for e in kept})
    legend, legend_height = _legend(groups, kinds, pid)

    plot_height = max(360, min(800, 160 + 16 * len(keys)))
    plot_top = legend_height + NET_MARGIN
    height = plot_top + plot_height + NET_MARGIN
    raw = _layout(len(keys), [(index[e.source], index[e.target]) for e in kept], NET_WIDTH, plot_height)
    positions = _fit(
        raw,
        NET_MARGIN + NET_FOCUS_RADIUS,
        plot_top + NET_FOCUS_RADIUS,
        NET_WIDTH - NET_LABEL_ROOM,
        plot_top + plot_height - NET_FOCUS_RADIUS,
    )
    radius = {key: NET_FOCUS_RADIUS if key == highlight else NET_RADIUS for key in keys}

    # Several relations between one pair sit side by side rather than on top of each other.
    pairs: dict[tuple[str, str], list[Edge]] = {}
    for edge in kept:
        pairs.setdefault(tuple(sorted((edge.source, edge.target))), []).append(edge)

    parts = [
        format_html(
            "<defs>"
            '<marker id="{}-arrow" class="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
            'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#999"/>'
            "</marker>"
            '<marker id="{}-arrow-sponsors" class="arrowhead arrowhead-sponsors" viewBox="0 0 10 10" refX="10" '
            'refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#b5482b"/></marker>'
            "</defs>",
            pid,
            pid,
        ),
        legend,
    ]

    edge_parts = []
    for (low, high), group in pairs.items():
        (lx, ly), (hx, hy) = positions[index[low]], positions[index[high]]
        length = math.hypot(hx - lx, hy - ly) or 1.0
        ux, uy = (hx - lx) / length, (hy - ly) / length
        for n, edge in enumerate(group):
            offset = (n - (len(group) - 1) / 2) * NET_PARALLEL_OFFSET
            ox, oy = -uy * offset, ux * offset
            (sx, sy), (tx, ty) = positions[index[edge.source]], positions[index[edge.target]]
            sign = 1 if edge.source == low else -1
            # Start and stop at the circles' rims, so an arrowhead is not hidden under its target.
            sr, tr = radius[edge.source] + 1, radius[edge.target] + 2
            classes, stroke, stroke_width = _edge_attrs(edge.kind)
            marker = _marker_for(edge.kind, pid)
            description = f"{by_key[edge.source].label} {_humanize(edge.kind)} {by_key[edge.target].label}"
            if edge.label:
                description += f": {edge.label}"
            edge_parts.append(
                format_html(
                    '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}>'
                    "<title>{}</title></line>",
                    classes,
                    _num(sx + ox + sign * ux * sr),
                    _num(sy + oy + sign * uy * sr),
                    _num(tx + ox - sign * ux * tr),
                    _num(ty + oy - sign * uy * tr),
                    stroke,
                    stroke_width,
                    format_html(' marker-end="{}"', marker) if marker else "",
                    description,
                )
            )
    parts.append(format_html('<g class="edges">{}</g>', _join(edge_parts)))

    node_parts = []
    for key, (x, y) in zip(keys, positions, strict=True):
        node = by_key[key]
        focus = " node-focus" if key == highlight else ""
        rtl = _is_rtl(node.label)
        node_parts.append(
            format_html(
                '<a class="node-link" href="{}"><title>{} ({})</title>'
                '<circle class="node node-{}{}" cx="{}" cy="{}" r="{}" fill="#777" stroke="#fff" stroke-width="1"/>'
                '<text class="node-label" x="{}" y="{}"{}>{}</text></a>',
                node.url,
                node.label,
                node.group,
                _token(node.group),
                focus,
                _num(x),
                _num(y),
                radius[key],
                _num(x + radius[key] + 3),
                _num(y + 4),
                # Right-to-left labels still run rightwards from the dot: in rtl, "end" is the left edge.
                format_html(' direction="rtl" text-anchor="{}"', "end") if rtl else "",
                _short(node.label),
            )
        )
    parts.append(format_html('<g class="nodes">{}</g>', _join(node_parts)))
    return _svg("network", pid, title, NET_WIDTH, height, _join(parts))
