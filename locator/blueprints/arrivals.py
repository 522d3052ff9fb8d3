"""New arrivals: this week's new suppliers, any ISO week, an archive, and an Atom feed."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from .. import facets, feeds, presenters
from ..db import get_session
from ..search_runtime import get_search
from ..services import arrivals, paging
from ..urls import external_url
from ..weeks import BadWeek, IsoWeek
from .page_number import page_number

bp = Blueprint("arrivals", __name__)

FEED_WEEKS = 4


def _without(filters: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    return {**filters, name: [v for v in filters[name] if v != value]}


def _no_such_week(message: str):
    return render_template(
        "arrivals/no_such_week.html", message=message, current=IsoWeek.current()
    ), 404


def _week_page(week: IsoWeek):
    first = arrivals.first_week(get_session())
    if week < first:
        return _no_such_week(f"New arrivals start in the week of {first.label}")
    filters, rejected = arrivals.read_filters(request.args)
    try:
        found = arrivals.week_page(get_session(), week, filters, page_number())
    except paging.PastTheEnd:
        return _no_such_week(f"The week of {week.label} has no page {request.args['page']}")
    latest = None
    if filters and not found.total:
        latest = arrivals.latest_matching_week(get_session(), get_search(), filters)
    groups = presenters.filter_groups(facets.ARRIVALS, filters)
    chosen = presenters.chosen_filters(
        filters,
        groups,
        lambda name, value: url_for(
            request.endpoint, **request.view_args, **_without(filters, name, value)
        ),
    )
    return render_template(
        "arrivals/week.html",
        week=week,
        first=first,
        current=IsoWeek.current(),
        found=found,
        latest=latest if latest != week else None,
        list_url=url_for(request.endpoint, **request.view_args, **filters),
        filters=filters,
        groups=groups,
        chosen=chosen,
        rejected=presenters.rejected_filters(rejected),
    )


@bp.route("/new-arrivals")
def this_week():
    return _week_page(IsoWeek.current())


@bp.route("/new-arrivals/<week>")
def any_week(week: str):
    try:
        parsed = IsoWeek.parse(week)
    except BadWeek as error:
        return _no_such_week(str(error))
    return _week_page(parsed)


@bp.route("/new-arrivals/archive")
def archive():
    current = IsoWeek.current()
    return render_template(
        "arrivals/archive.html", weeks=arrivals.archive(get_session(), current), current=current
    )


@bp.route("/new-arrivals.atom")
def atom():
    filters, rejected = arrivals.read_filters(request.args)
    current = IsoWeek.current()
    first = current
    for _ in range(FEED_WEEKS - 1):
        first = first.previous()
    suppliers = arrivals.between(get_session(), first.starts, current.ends, filters)
    body = feeds.arrivals_atom(
        suppliers,
        feed_url=external_url("arrivals.atom", **filters),
        page_url=external_url("arrivals.this_week", **filters),
        profile_url=lambda s: external_url("suppliers.profile", slug=s.slug),
    )
    return Response(body, mimetype="application/atom+xml")
