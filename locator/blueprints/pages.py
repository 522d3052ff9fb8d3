"""Content pages: home, cookies, accessibility statement, privacy notice, feedback."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..db import get_session
from ..forms.feedback import FeedbackForm
from ..limits import FEEDBACK, limited
from ..search_runtime import get_search
from ..services import feedback as feedback_service
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


@bp.route("/feedback", methods=["GET", "POST"])
@limited(FEEDBACK)
def feedback():
    form = FeedbackForm(data={"page": request.args.get("from")})
    if form.validate_on_submit():
        feedback_service.save(
            get_session(), form.comments.data, form.doing.data, form.email.data, form.page.data
        )
        return redirect(url_for("pages.feedback_sent"))
    return render_template(
        "pages/feedback.html", form=form, address=current_app.config["FEEDBACK_EMAIL"]
    )


@bp.route("/feedback/sent")
def feedback_sent():
    return render_template("pages/feedback_sent.html")
