"""The buyer's search page: /search with q, filters, sort and page in a shareable URL."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from ..db import get_session
from ..search_engine import get_engine
from ..services import search

bp = Blueprint("search", __name__)


@bp.route("/search")
def search_page():
    try:
        search_request = search.parse(request.args)
    except search.BadSearch as error:
        abort(400, description=str(error))
    page = search.run(get_session(), get_engine(), search_request)
    return render_template(
        "search/index.html",
        page=page,
        sorts=search.SORTS,
        facet_titles=search.FACET_TITLES,
    )
