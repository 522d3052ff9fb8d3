"""Public supplier pages: the A to Z list and a profile."""

from __future__ import annotations

import re
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from .. import presenters
from ..db import get_session
from ..forms.admin import ClaimForm
from ..login import role_required
from ..services import claims, logos, paging, suppliers
from .page_number import page_number

LOGO_MAX_AGE = 365 * 24 * 3600  # seconds: a logo's name changes whenever its content does

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")


@bp.route("")
def index():
    letter = request.args.get("letter", "").upper() or None
    if letter and letter not in suppliers.letters():
        abort(404)
    try:
        page = suppliers.published_a_to_z(get_session(), letter, page_number())
    except paging.PastTheEnd:
        abort(404)
    return render_template(
        "suppliers/index.html",
        page=page,
        letter=letter,
        letters=suppliers.letters(),
        in_use=suppliers.letters_in_use(get_session()),
    )


@bp.route("/<slug:slug>")
def profile(slug: str):
    try:
        supplier = suppliers.visible_profile(get_session(), slug, current_user)
    except suppliers.NotFound:
        abort(404)
    came_from = presenters.came_from(request.referrer, request.host)
    return render_template(
        "suppliers/profile.html",
        supplier=supplier,
        today=date.today(),
        came_from=came_from,
        nav_section=came_from.section if came_from else None,
    )


@bp.route("/logos/<name>")
def logo(name: str):
    if not re.fullmatch(logos.NAME_PATTERN, name):
        abort(404)
    response = send_from_directory(
        current_app.config["LOGO_DIR"],
        name,
        mimetype=logos.content_type(name),
        max_age=LOGO_MAX_AGE,
        conditional=True,
    )
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<slug:slug>/claim", methods=["GET", "POST"])
@role_required("supplier", "admin")
def claim(slug: str):
    """"Is this your business?": ask to manage a profile. Also reached from the refusal of a
    Companies House number already listed, so drafts can be claimed too."""
    session = get_session()
    try:
        profile = suppliers.by_slug(session, slug)
    except suppliers.NotFound:
        abort(404)
    form = ClaimForm()
    try:
        claims.check(session, current_user, profile)
    except claims.CannotClaim as refused:
        return render_template("suppliers/claim.html", supplier=profile, refusal=str(refused))
    if form.validate_on_submit():
        claims.submit(session, current_user, profile, form.message.data)
        flash(f"Your claim for {profile.name} has been sent. We will email you when we have "
              "checked it.", "success")
        return redirect(url_for("profile.dashboard"))
    return render_template("suppliers/claim.html", supplier=profile, form=form, refusal=None)
