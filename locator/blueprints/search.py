"""The buyer's search page: /search with q, filters, sort and page in a shareable URL."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from .. import facets, presenters
from ..db import get_session
from ..search_runtime import get_search, is_ready
from ..services import search

bp = Blueprint("search", __name__)


@bp.route("/search")
def search_page():
    try:
        search_request = search.parse(request.args)
    except search.BadSearch as error:
        abort(400, description=str(error))
    page = search.run(get_session(), get_search(), search_request)
    # The page shows the search as run: the query as read, with any filters it added.
    shown = page.request
    groups = presenters.filter_groups(facets.SEARCH, shown.filters, page.facets)
    chosen = presenters.chosen_filters(
        shown.filters,
        groups,
        lambda name, value: url_for("search.search_page", **shown.without(name, value)),
    )
    return render_template(
        "search/index.html",
        page=page,
        sorts=search.SORTS,
        groups=groups,
        chosen=chosen,
        snippets=presenters.fresh_snippets(page.results, page.highlights),
        rejected=presenters.rejected_filters(search_request.rejected),
        index_incomplete=not is_ready(),
    )
