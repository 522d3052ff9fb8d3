"""`/admin`, for administrators only: the review queues, each supplier's page with its history
and the decisions on it, accreditation checks, claims and accounts. Every list is paginated."""

from __future__ import annotations

import logging
import smtplib
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import email_messages, taxonomies
from ..db import get_session
from ..forms.admin import ReasonForm
from ..forms.profile import ConfirmForm
from ..login import role_required
from ..security import security_event
from ..services import admin, claims, paging, suppliers
from ..services import feedback as feedback_service
from .page_number import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def _administrators_only():
    """Every page here needs a signed-in administrator."""


@bp.after_request
def _log_decisions(response):
    """A decision posted and acted on (answered with a redirect) goes to the security log with
    the admin's id; what it changed is in the audit log."""
    if request.method == "POST" and response.status_code == 302 and current_user.is_authenticated:
        security_event("admin.action", logging.INFO, admin=current_user.id, path=request.path,
                       choice=request.form.get("action"))
    return response


def _or_404(find, *args):
    try:
        return find(get_session(), *args)
    except (suppliers.NotFound, paging.PastTheEnd):
        abort(404)


def _notify(message) -> None:
    """Send a notice; the decision stands if the mail server fails, and the admin is told."""
    sender = email_messages.mailer()
    try:
        sender.send(message)
    except (smtplib.SMTPException, OSError):
        flash(f"The email to {message['To']} could not be sent. Tell them another way.", "info")
    finally:
        sender.close()


@bp.route("")
def home():
    return render_template("admin/home.html", counts=admin.counts(get_session()))


@bp.route("/reviews")
def reviews():
    found = _or_404(admin.review_queue, page_number())
    return render_template("admin/suppliers.html", found=found, title="New profiles to review",
                           empty="No profiles are waiting for review.",
                           similar=suppliers.with_similar_names(get_session(), found.items))


@bp.route("/edits")
def edits():
    found = _or_404(admin.edited_queue, page_number())
    return render_template("admin/suppliers.html", found=found, title="Changed profiles",
                           empty="No published profile has changed since it was last reviewed.",
                           similar=suppliers.with_similar_names(get_session(), found.items))


@bp.route("/suppliers")
def supplier_search():
    text = request.args.get("q", "").strip()[:200]
    status = request.args.get("status") or None
    if status is not None and status not in taxonomies.STATUSES:
        abort(404)
    found = _or_404(admin.find_suppliers, text, status, page_number())
    return render_template("admin/suppliers.html", found=found, title="Suppliers", search=True,
                           q=text, status=status, statuses=taxonomies.STATUSES,
                           empty="No supplier matches.",
                           similar=suppliers.with_similar_names(get_session(), found.items))


@bp.route("/suppliers/<int:supplier_id>")
def supplier(supplier_id: int):
    session = get_session()
    profile = _or_404(admin.supplier, supplier_id)
    return render_template(
        "admin/supplier.html",
        supplier=profile,
        edits=admin.edits(profile) if profile.edited_since else [],
        similar=suppliers.similar_names(session, profile),
        history=_or_404(admin.history, supplier_id, page_number()),
        today=date.today(),
        confirm=ConfirmForm(),
    )


# action: (service function, needs a reason, page title, button, done message)
ACTIONS = {
    "approve": (admin.approve, False, "Approve and publish", "Approve and publish",
                "The profile is published and its owner has been emailed."),
    "reject": (admin.reject, True, "Reject this profile", "Reject profile",
               "The profile has been rejected and its owner has been emailed."),
    "suspend": (admin.suspend, True, "Suspend this profile", "Suspend profile",
                "The profile is suspended: buyers can no longer see or find it."),
    "reinstate": (admin.reinstate, False, "Reinstate this profile", "Reinstate profile",
                  "The profile is published again."),
    "accept-edits": (admin.accept_edits, False, "Accept the changes", "Accept changes",
                     "The changes have been accepted."),
    "revert-edits": (admin.revert_edits, True, "Revert the changes", "Revert changes",
                     "The profile is back as it was last accepted."),
    "release-number": (admin.release_number, True, "Release the Companies House number",
                       "Release number",
                       "The Companies House number has been taken off this profile."),
}


@bp.route("/suppliers/<int:supplier_id>/<action>", methods=["GET", "POST"])
def supplier_action(supplier_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    act, needs_reason, title, button, done = ACTIONS[action]
    session = get_session()
    profile = _or_404(admin.supplier, supplier_id)
    form = ReasonForm() if needs_reason else ConfirmForm()
    form.submit.label.text = button
    if form.validate_on_submit():
        try:
            act(session, profile, form.reason.data) if needs_reason else act(session, profile)
        except admin.NotAllowed as refused:
            flash(str(refused), "info")
        except suppliers.NumberTaken as taken:
            flash(f"Not reverted: its old Companies House number is now on ‘{taken.holder.name}’.",
                  "info")
        else:
            if action in ("approve", "reject"):
                _notify(email_messages.review_decision(email_messages.mailer(), profile))
            flash(done, "success")
        return redirect(url_for("admin.supplier", supplier_id=supplier_id))
    return render_template("admin/action.html", form=form, supplier=profile, title=title,
                           needs_reason=needs_reason,
                           edits=admin.edits(profile) if action == "revert-edits" else [])


@bp.route("/accreditations")
def accreditations():
    found = _or_404(admin.unverified_accreditations, page_number())
    return render_template("admin/accreditations.html", found=found)


@bp.route("/accreditations/<int:item_id>/verify", methods=["GET", "POST"])
def verify(item_id: int):
    session = get_session()
    item = _or_404(admin.accreditation, item_id)
    form = ConfirmForm()
    form.submit.label.text = "Mark as verified"
    if form.validate_on_submit():
        try:
            admin.verify(session, item)
        except admin.NotAllowed as refused:
            flash(str(refused), "info")
        else:
            flash("The accreditation is verified. Its profile now says so.", "success")
        return redirect(url_for("admin.supplier", supplier_id=item.supplier_id))
    return render_template("admin/verify.html", form=form, item=item, today=date.today())


@bp.route("/claims")
def claim_list():
    found = _or_404(admin.pending_claims, page_number())
    return render_template("admin/claims.html", found=found)


@bp.route("/claims/<int:claim_id>/<decision>", methods=["GET", "POST"])
def claim_decision(claim_id: int, decision: str):
    if decision not in ("approve", "reject"):
        abort(404)
    session = get_session()
    claim = _or_404(claims.get, claim_id)
    form = ReasonForm() if decision == "reject" else ConfirmForm()
    form.submit.label.text = "Approve claim" if decision == "approve" else "Reject claim"
    if form.validate_on_submit():
        try:
            if decision == "approve":
                claims.approve(session, claim)
            else:
                claims.reject(session, claim, form.reason.data)
        except claims.CannotClaim as refused:
            flash(str(refused), "info")
        else:
            _notify(email_messages.claim_decision(email_messages.mailer(), claim))
            flash(f"The claim has been {decision}d and the claimant emailed.", "success")
        return redirect(url_for("admin.claim_list"))
    return render_template("admin/claim.html", form=form, claim=claim, decision=decision,
                           needs_reason=decision == "reject")


@bp.route("/feedback")
def feedback():
    found = _or_404(feedback_service.newest_first, page_number())
    return render_template("admin/feedback.html", found=found)


@bp.route("/accounts")
def accounts():
    text = request.args.get("q", "").strip()[:254]
    found = _or_404(admin.find_accounts, text, page_number())
    return render_template("admin/accounts.html", found=found, q=text)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def account(user_id: int):
    session = get_session()
    user = _or_404(admin.account, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        action = request.form.get("action")
        changes = {"make-admin": lambda: admin.set_role(session, current_user, user, "admin"),
                   "make-supplier": lambda: admin.set_role(session, current_user, user,
                                                           "supplier"),
                   "disable": lambda: admin.set_disabled(session, current_user, user, True),
                   "enable": lambda: admin.set_disabled(session, current_user, user, False)}
        if action not in changes:
            abort(400)
        try:
            changes[action]()
        except admin.NotAllowed as refused:
            flash(str(refused), "info")
        else:
            flash("The account has been changed.", "success")
        return redirect(url_for("admin.account", user_id=user_id))
    return render_template("admin/account.html", user=user, form=form,
                           owned=suppliers.for_owner(session, user),
                           history=_or_404(admin.account_history, user, page_number()))
