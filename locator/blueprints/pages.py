"""Content pages: home, cookies, accessibility statement, privacy notice, feedback."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..db import get_session
from ..search_runtime import get_search
from ..services import search

bp = Blueprint("pages", __name__)

POPULAR_SECTORS = 6


@bp.route("/")
def home():
    # Every listed supplier, with facet counts: how many there are, and the busiest sectors.
    everyone = search.run(get_session(), get_search(), search.SearchRequest(per_page=1))
    return render_template(
        "pages/home.html",
        total=everyone.total,
        sectors=everyone.facets["sector"][:POPULAR_SECTORS],
    )


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/feedback")
def feedback():
    return render_template("pages/feedback.html", address=current_app.config["FEEDBACK_EMAIL"])
