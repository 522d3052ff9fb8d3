"""Registering, signing in and signing out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..db import get_session
from ..forms.auth import RegisterForm, SignInForm, SignOutForm
from ..limits import REGISTER, SIGN_IN, limited
from ..services import accounts

bp = Blueprint("auth", __name__, url_prefix="/account")


def _safe_next(default: str) -> str:
    """Only same-site relative paths, so `next=` cannot send someone to another site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/register", methods=["GET", "POST"])
@limited(REGISTER)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("profile.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(get_session(), form.email.data, form.password.data)
        except accounts.EmailTaken:
            form.email.errors.append("An account already uses this email address. Sign in instead.")
        else:
            login_user(user)
            flash(
                "Your account has been created. Now tell buyers about your organisation.", "success"
            )
            return redirect(url_for("profile.dashboard"))
    return render_template("auth/register.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limited(SIGN_IN)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("profile.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(url_for("profile.dashboard")))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        logout_user()
        flash("You have signed out.", "success")
        return redirect(url_for("pages.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    return render_template("auth/sign_out.html", form=form)
