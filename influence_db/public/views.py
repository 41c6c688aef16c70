"""The public research site: approved records only, read through `selectors`.

Views stay thin: a filter set narrows a selector's queryset, `paginate` cuts a keyset
page, and every list answers `?format=csv` with exactly the rows it would show.
"""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django_filters import FilterSet

from influence_db.coding import choices
from influence_db.coding.models import Actor, Event, Theme, TheoryAssumption
from influence_db.public import filters, pictures, selectors
from influence_db.public.access import public_page
from influence_db.public.exports import csv_response
from influence_db.public.pagination import paginate

# How many related claims a detail page lists before pointing to the filtered claim list.
DETAIL_CLAIMS = 20
TIMELINE_CAP = 500
NETWORK_CAP = 300
FOR = (choices.AssumptionRelation.SUPPORTS, choices.AssumptionRelation.ILLUSTRATES)
AGAINST = (choices.AssumptionRelation.CHALLENGES, choices.AssumptionRelation.QUALIFIES)


def list_page(
    request: HttpRequest,
    *,
    filterset: FilterSet,
    ordering: tuple[str, ...],
    template: str,
    name: str,
    context: dict | None = None,
) -> HttpResponse:
    """A filtered list: a keyset page of HTML, its CSV, or a 400 that says which filter is wrong."""
    context = {"filter": filterset, **(context or {})}
    wanted = request.GET.get("format", "html")
    if wanted not in ("html", "csv"):
        context["bad_format"] = wanted
        return render(request, template, context, status=400)
    if not filterset.is_valid():
        return render(request, template, context, status=400)
    if wanted == "csv":
        return csv_response(filterset.qs, filename=name, bom=request.GET.get("bom") == "1")
    context["page"] = paginate(request, filterset.qs, ordering)
    context["active"] = active_filters(filterset)
    return render(request, template, context)


def active_filters(filterset: FilterSet) -> list[tuple[str, str]]:
    """(label, value) of each filter in use, as a reader names them: "Theme", "Protest theme"."""
    active = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = filterset.form.fields[name]
        if hasattr(value, "pk"):
            shown = getattr(value, "name", None) or getattr(value, "title", None) or getattr(value, "code", str(value))
        else:
            shown = dict(getattr(field, "choices", ())).get(value, value)
        active.append((str(field.label or name).capitalize(), str(shown)))
    return active


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/home.html",
        {
            "counts": selectors.overview(),
            "recent": selectors.recently_approved(),
            "themes": selectors.themes(),
            "assumptions": selectors.assumptions(),
        },
    )


# --- Claims ---------------------------------------------------------------------------------


@public_page
def claim_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        filterset=filters.ClaimFilter(request.GET, queryset=selectors.claims()),
        ordering=("key",),
        template="public/claim_list.html",
        name="claims",
        context={"themes": selectors.themes(), "assumptions": selectors.assumptions()},
    )


@public_page
def claim_detail(request: HttpRequest, key: str) -> HttpResponse:
    claim = get_object_or_404(selectors.claim_detail(), key=key)
    # Related claims in both directions, side by side by kind of relation.
    related = defaultdict(list)
    for relation in claim.shown_relations_out:
        related[relation.relation_type].append((relation.other, relation.note))
    for relation in claim.shown_relations_in:
        related[relation.relation_type].append((relation.claim, relation.note))
    return render(
        request,
        "public/claim_detail.html",
        {
            "claim": claim,
            "attributed_to": selectors.shown(claim.attributed_to),
            "corroborating": related[choices.ClaimRelationType.CORROBORATES],
            "contradicting": related[choices.ClaimRelationType.CONTRADICTS],
            "elaborating": related[choices.ClaimRelationType.ELABORATES],
        },
    )


# --- Actors ---------------------------------------------------------------------------------


@public_page
def actor_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        filterset=filters.ActorFilter(request.GET, queryset=selectors.actors()),
        ordering=("name", "key"),
        template="public/actor_list.html",
        name="actors",
    )


@public_page
def actor_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = get_object_or_404(selectors.actor_detail(), key=key)
    relations = sorted(
        [(r, r.object, "out") for r in actor.shown_relations_out]
        + [(r, r.subject, "in") for r in actor.shown_relations_in],
        key=lambda item: (item[0].start is None, item[0].start or item[0].end, item[0].key),
    )
    claims = selectors.claims().naming(actor).order_by("key")
    return render(
        request,
        "public/actor_detail.html",
        {
            "actor": actor,
            "parent": selectors.shown(actor.parent),
            "relations": relations,
            "claims": claims[:DETAIL_CLAIMS],
            "network": _network([actor], [*actor.shown_relations_out, *actor.shown_relations_in], focus=actor),
        },
    )


@public_page
def actor_network(request: HttpRequest) -> HttpResponse:
    relations = list(selectors.actor_relations())
    # The most connected actors first, when the network is too large to draw whole.
    degree: dict[int, int] = defaultdict(int)
    for relation in relations:
        degree[relation.subject_id] += 1
        degree[relation.object_id] += 1
    keep = set(sorted(degree, key=lambda pk: -degree[pk])[:NETWORK_CAP])
    drawn = [r for r in relations if r.subject_id in keep and r.object_id in keep]
    return render(
        request,
        "public/actor_network.html",
        {"network": _network([], drawn), "relations": len(relations), "drawn": len(drawn), "cap": NETWORK_CAP},
    )


def _network(actors: list[Actor], relations: list, focus: Actor | None = None) -> str:
    nodes = {actor.pk: actor for actor in actors}
    for relation in relations:
        nodes.setdefault(relation.subject_id, relation.subject)
        nodes.setdefault(relation.object_id, relation.object)
    return pictures.network_svg(
        [pictures.Node(a.key, a.name, a.kind, reverse("public:actor", args=[a.key])) for a in nodes.values()],
        [pictures.Edge(r.subject.key, r.object.key, r.relation_type, r.get_relation_type_display()) for r in relations],
        title="Actor network" if focus is None else f"Relations of {focus.name}",
        highlight=focus.key if focus else None,
    )


# --- Events ---------------------------------------------------------------------------------


@public_page
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = filters.EventFilter(request.GET, queryset=selectors.events())
    timeline = None
    if filterset.is_valid() and request.GET.get("format", "html") == "html":
        dated = filterset.qs.filter(date_start__isnull=False).order_by("date_start", "key")
        timeline = _timeline(list(dated[: TIMELINE_CAP + 1]), title="Timeline of events")
    return list_page(
        request,
        filterset=filterset,
        ordering=("when", "key"),
        template="public/event_list.html",
        name="events",
        context={"timeline": timeline},
    )


def _timeline(events: list[Event], *, title: str) -> str:
    return pictures.timeline_svg(
        [
            pictures.TimelineItem(
                e.key, e.title, e.date_start, e.date_end, e.event_type, reverse("public:event", args=[e.key])
            )
            for e in events
        ],
        title=title,
    )


@public_page
def event_detail(request: HttpRequest, key: str) -> HttpResponse:
    event = get_object_or_404(selectors.event_detail(), key=key)
    claims = selectors.claims().filter(events=event).order_by("key")
    return render(request, "public/event_detail.html", {"event": event, "claims": claims[:DETAIL_CLAIMS]})


# --- Sources --------------------------------------------------------------------------------


@public_page
def source_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        filterset=filters.SourceFilter(request.GET, queryset=selectors.sources()),
        ordering=("key",),
        template="public/source_list.html",
        name="sources",
    )


@public_page
def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(selectors.source_detail(), key=key)
    claims = selectors.claims().citing(source).order_by("key")
    return render(request, "public/source_detail.html", {"source": source, "claims": claims[:DETAIL_CLAIMS]})


# --- Assumptions and the evidence matrix ----------------------------------------------------


def _strongest_first(table: dict[tuple, dict[str, int]]) -> list[dict]:
    """Rows of an evidence table, the groups with the most evidence first."""
    rows = [{"key": key, "counts": counts} for key, counts in table.items()]
    return sorted(rows, key=lambda row: (-sum(row["counts"].values()), row["key"]))


@public_page
def assumption_list(request: HttpRequest) -> HttpResponse:
    return render(request, "public/assumption_list.html", {"assumptions": selectors.assumptions_with_counts()})


@public_page
def assumption_detail(request: HttpRequest, code: str) -> HttpResponse:
    assumption = get_object_or_404(selectors.assumptions(), code=code)
    evidence = selectors.assumption_links().filter(assumption=assumption).order_by("claim__key")
    by_source = selectors.evidence(
        "claim__citations__source__key", "claim__citations__source__title", assumption=assumption
    )
    by_theme = selectors.evidence("claim__themes__key", "claim__themes__name", assumption=assumption)
    return render(
        request,
        "public/assumption_detail.html",
        {
            "assumption": assumption,
            "parent": selectors.shown(assumption.parent),
            "source": selectors.shown(assumption.source),
            "by_source": _strongest_first(by_source),
            "by_theme": _strongest_first(by_theme),
            "evidence_for": evidence.filter(relation__in=FOR)[:DETAIL_CLAIMS],
            "evidence_against": evidence.filter(relation__in=AGAINST)[:DETAIL_CLAIMS],
            "relations": choices.AssumptionRelation.choices,
        },
    )


@public_page
def evidence_matrix(request: HttpRequest) -> HttpResponse:
    themes = list(selectors.themes())
    assumptions = list(selectors.assumptions())
    cells = selectors.evidence("claim__themes__key", "assumption__code")
    maximum = max((sum(counts.values()) for counts in cells.values()), default=0)

    def cell(theme: Theme, assumption: TheoryAssumption) -> dict:
        counts = cells.get((theme.key, assumption.code), {})
        total = sum(counts.values())
        return {
            "assumption": assumption,
            "total": total,
            "counts": [(value, label, counts.get(value, 0)) for value, label in choices.AssumptionRelation.choices],
            "heat": pictures.heat_level(total, maximum),
        }

    rows = [(theme, [cell(theme, assumption) for assumption in assumptions]) for theme in themes]
    return render(request, "public/matrix.html", {"assumptions": assumptions, "rows": rows, "maximum": maximum})
