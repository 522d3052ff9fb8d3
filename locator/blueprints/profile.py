"""A supplier's own area: the profile task list, its sections, accreditations, case studies, and
publishing. Everything here is reached through the signed-in user's own supplier, so another
user's ids give 404."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import taxonomies
from ..db import get_session
from ..forms.profile import (
    SECTIONS_BY_SLUG,
    AccreditationForm,
    CaseStudyForm,
    ConfirmForm,
    LogoForm,
    OrganisationForm,
    ServicesForm,
)
from ..login import role_required
from ..models import Accreditation, CaseStudy
from ..services import logos, records, suppliers

bp = Blueprint("profile", __name__, url_prefix="/profile")

CHILDREN = {
    "accreditations": (Accreditation, AccreditationForm, suppliers.accreditation, "accreditation"),
    "case-studies": (CaseStudy, CaseStudyForm, suppliers.case_study, "case study"),
}


@bp.before_request
@role_required("supplier", "admin")
def _signed_in_supplier():
    """Every page here needs a signed-in supplier account."""


def _own_supplier(required: bool = True):
    supplier = suppliers.for_owner(get_session(), current_user)
    if supplier is None and required:
        flash("Start by telling buyers about your organisation.", "info")
        abort(redirect(url_for("profile.section", slug=OrganisationForm.section.slug)))
    return supplier


@bp.route("")
def dashboard():
    supplier = _own_supplier(required=False)
    return render_template(
        "profile/dashboard.html",
        supplier=supplier,
        tasks=suppliers.tasks(supplier),
        missing=suppliers.missing_for_publication(supplier) if supplier else [],
        confirm=ConfirmForm(),
        today=date.today(),
    )


@bp.route("/section/<slug>", methods=["GET", "POST"])
def section(slug: str):
    form_class = SECTIONS_BY_SLUG.get(slug)
    if form_class is None:
        abort(404)
    session = get_session()
    supplier = _own_supplier(required=form_class is not OrganisationForm)
    if request.method == "POST":
        form = form_class()
    else:
        form = form_class.from_record(records.supplier_record(supplier) if supplier else {})
    searching = "cpv_search" in request.form  # the CPV finder re-shows the page, saving nothing
    context = {}
    if not searching and form.validate_on_submit():
        try:
            if supplier is None:
                suppliers.create(session, current_user, form.changes())
            else:
                suppliers.update(session, supplier, form.changes())
        except suppliers.NumberTaken as taken:
            form.companies_house_number.errors.append(
                f"A business with this Companies House number is already listed as "
                f"‘{taken.holder.name}’. If it is yours, claim that profile instead"
            )
            context["taken_by"] = taken.holder
        else:
            flash(f"{form_class.section.title} saved.", "success")
            return redirect(url_for("profile.dashboard"))
    if form_class is ServicesForm:
        config = current_app.config
        query = request.values.get("cpv_q", "").strip()[: config["CPV_QUERY_MAX_CHARS"]]
        chosen = set(form.cpv_codes.data or [])
        found = taxonomies.search_cpv(query, config["CPV_RESULTS_MAX"])
        context = {"cpv_query": query, "cpv_matches": [t for t in found if t.code not in chosen]}
    return render_template(
        [f"profile/section_{slug}.html", "profile/section.html"],
        form=form,
        section=form_class.section,
        supplier=supplier,
        **context,
    )


@bp.route("/logo", methods=["GET", "POST"])
def logo():
    supplier = _own_supplier()
    form = LogoForm()
    if form.validate_on_submit():
        try:
            logos.save(
                get_session(), supplier, form.logo.data.read(), current_app.config["LOGO_DIR"]
            )
        except logos.BadLogo as error:
            form.logo.errors.append(str(error))
        else:
            flash("Your logo has been uploaded.", "success")
            return redirect(url_for("profile.dashboard"))
    return render_template("profile/logo.html", form=form, supplier=supplier)


@bp.route("/logo/remove", methods=["POST"])
def remove_logo():
    supplier = _own_supplier()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    logos.remove(get_session(), supplier, current_app.config["LOGO_DIR"])
    flash("Your logo has been removed.", "success")
    return redirect(url_for("profile.dashboard"))


@bp.route("/publish", methods=["POST"])
def publish():
    supplier = _own_supplier()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        missing = suppliers.publish(get_session(), supplier)
    except suppliers.Suspended:
        abort(403)
    except suppliers.EmailNotVerified:
        flash(f"Confirm your email address before you publish: open the link we sent to "
              f"{current_user.email}.", "info")
        return redirect(url_for("profile.dashboard"))
    if missing:
        flash("Complete these sections before you publish: " + ", ".join(missing) + ".", "info")
    elif supplier.status == "submitted":
        flash(
            "Your profile has been sent for review. We will email you when it is published.",
            "success",
        )
    else:
        flash("Your profile is published. Buyers can now find you.", "success")
    return redirect(url_for("profile.dashboard"))


@bp.route("/unpublish", methods=["POST"])
def unpublish():
    supplier = _own_supplier()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        suppliers.unpublish(get_session(), supplier)
    except suppliers.Suspended:
        abort(403)
    flash("Your profile is no longer published. Buyers cannot see it.", "success")
    return redirect(url_for("profile.dashboard"))


def _child_kind(kind: str):
    if kind not in CHILDREN:
        abort(404)
    return CHILDREN[kind]


def _find_child(supplier, kind: str, item_id: int):
    _model, _form, finder, _noun = _child_kind(kind)
    try:
        return finder(supplier, item_id)
    except suppliers.NotFound:
        abort(404)


@bp.route("/<kind>/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
def edit_child(kind: str, item_id: int | None):
    model, form_class, _finder, noun = _child_kind(kind)
    supplier = _own_supplier()
    item = model() if item_id is None else _find_child(supplier, kind, item_id)
    form = form_class(obj=item if item_id is not None else None)
    if form.validate_on_submit():
        suppliers.save_child(get_session(), supplier, item, form.changes())
        flash(f"The {noun} has been saved.", "success")
        return redirect(url_for("profile.dashboard"))
    return render_template("profile/edit_child.html", form=form, item_id=item_id, noun=noun)


@bp.route("/<kind>/<int:item_id>/remove", methods=["GET", "POST"])
def remove_child(kind: str, item_id: int):
    _model, _form, _finder, noun = _child_kind(kind)
    supplier = _own_supplier()
    item = _find_child(supplier, kind, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        suppliers.remove_child(get_session(), supplier, item)
        flash(f"The {noun} has been removed.", "success")
        return redirect(url_for("profile.dashboard"))
    return render_template("profile/remove.html", form=form, item=item, noun=noun, kind=kind)
