"""New arrivals: this week's new suppliers, any ISO week, an archive, and an Atom feed."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from .. import facets, feeds, presenters
from ..db import get_session
from ..services import arrivals
from ..weeks import BadWeek, IsoWeek

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
        suppliers=arrivals.for_week(get_session(), week, filters),
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
        feed_url=request.url,
        page_url=url_for("arrivals.this_week", _external=True, **filters),
        profile_url=lambda s: url_for("suppliers.profile", slug=s.slug, _external=True),
    )
    return Response(body, mimetype="application/atom+xml")
