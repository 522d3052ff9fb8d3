"""Public supplier pages: the A to Z list and a profile."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..db import get_session
from ..services import suppliers

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:  # "²" is a digit to isdigit
        abort(404)
    return int(raw)


@bp.route("")
def index():
    letter = request.args.get("letter", "").upper() or None
    if letter and letter not in suppliers.letters():
        abort(404)
    try:
        page = suppliers.published_a_to_z(get_session(), letter, _page_number())
    except suppliers.NotFound:
        abort(404)
    return render_template(
        "suppliers/index.html", page=page, letter=letter, letters=suppliers.letters()
    )


@bp.route("/<slug:slug>")
def profile(slug: str):
    try:
        supplier = suppliers.visible_profile(get_session(), slug, current_user)
    except suppliers.NotFound:
        abort(404)
    return render_template("suppliers/profile.html", supplier=supplier, today=date.today())
