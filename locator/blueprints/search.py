"""The buyer's search page: /search with q, filters, sort and page in a shareable URL."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from .. import facets, presenters
from ..db import get_session
from ..search_runtime import get_search
from ..services import search

bp = Blueprint("search", __name__)


@bp.route("/search")
def search_page():
    try:
        search_request = search.parse(request.args)
    except search.BadSearch as error:
        abort(400, description=str(error))
    page = search.run(get_session(), get_search(), search_request)
    groups = presenters.filter_groups(facets.SEARCH, search_request.filters, page.facets)
    chosen = presenters.chosen_filters(
        search_request.filters,
        groups,
        lambda name, value: url_for("search.search_page", **search_request.without(name, value)),
    )
    return render_template(
        "search/index.html", page=page, sorts=search.SORTS, groups=groups, chosen=chosen
    )
