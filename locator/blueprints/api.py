"""The JSON API: supplier search and published profiles, described by an OpenAPI document."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, request

from .. import openapi, taxonomies
from ..db import get_session
from ..login import csrf
from ..search_runtime import get_search
from ..services import arrivals, paging, records, search, suppliers
from ..urls import external_url
from ..weeks import BadWeek, IsoWeek

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.route("/suppliers")
def search_suppliers():
    try:
        search_request = search.parse(request.args, api=True)
    except search.BadSearch as error:
        abort(400, description=str(error))
    page = search.run(get_session(), get_search(), search_request, accreditations=True)
    today = date.today()
    return jsonify(
        {
            "total": page.total,
            "page": search_request.page,
            "per_page": search_request.per_page,
            "matched": {"all": page.matched_all, "some": page.total - page.matched_all},
            "results": [
                {**_summary(s, page.highlights.get(s.id, []), today), "match": page.matches[s.id]}
                for s in page.results
            ],
            "facets": {
                name: [vars(value) for value in values] for name, values in page.facets.items()
            },
            "suggestion": page.suggestion,
            "interpreted": _interpreted(page),
        }
    )


@bp.route("/suppliers/<slug:slug>")
def supplier_profile(slug: str):
    try:
        supplier = suppliers.visible_profile(get_session(), slug, viewer=None)
    except suppliers.NotFound:
        abort(404, description=f"No published supplier at {slug}")
    record = records.supplier_record(supplier)
    for private in ("status", "created_at"):
        record.pop(private)
    today = date.today()
    record["accreditations"] = [
        records.accreditation_record(a) for a in supplier.current_accreditations(today)
    ]
    record["size"] = supplier.size
    record["url"] = external_url("suppliers.profile", slug=slug)
    return jsonify(record)


@bp.route("/new-arrivals")
def new_arrivals():
    try:
        week = (
            IsoWeek.parse(request.args["week"]) if request.args.get("week") else IsoWeek.current()
        )
    except BadWeek as error:
        abort(400, description=str(error))
    filters, rejected = arrivals.read_filters(request.args)
    if rejected:
        abort(400, description=search.unknown_filter(*rejected[0]))
    try:
        page, per_page = search.api_paging(request.args)
    except search.BadSearch as error:
        abort(400, description=str(error))
    try:
        found = arrivals.week_page(
            get_session(), week, filters, page, per_page, accreditations=True
        )
    except paging.PastTheEnd:
        abort(404)
    today = date.today()
    return jsonify(
        {
            "week": str(week),
            "starts": week.starts.isoformat(),
            "ends": week.ends.isoformat(),
            "total": found.total,
            "page": page,
            "pages": found.pages,
            "per_page": per_page,
            "results": [_summary(s, [], today) for s in found.items],
            "previous_week": str(week.previous()),
            "next_week": str(week.next()),
        }
    )


def _interpreted(page: search.SearchPage) -> dict | None:
    interpretation = page.interpretation
    if interpretation is None:
        return None
    return {
        "q": interpretation.typed,
        "searched": page.request.q,
        "regions": list(interpretation.regions),
        "place": interpretation.place or None,
        "cpv": interpretation.cpv,
        "company_number": interpretation.company_number,
        "corrected_from": interpretation.corrected_from,
    }


def _summary(supplier, highlights, today) -> dict:
    return {
        **search.result_summary(supplier, highlights, today),
        "url": external_url("suppliers.profile", slug=supplier.slug),
    }


@bp.route("/cpv")
def cpv_lookup():
    """CPV codes for the services page's finder: the same matches as its "Search codes" button
    (every word in the description, or a code prefix such as 722)."""
    config = current_app.config
    raw = request.args.get("limit", "")
    if raw == "":
        limit = config["CPV_RESULTS"]
    elif raw.isascii() and raw.isdigit() and 1 <= int(raw) <= config["CPV_RESULTS_MAX"]:
        limit = int(raw)
    else:
        abort(
            400, description=f"limit must be a whole number from 1 to {config['CPV_RESULTS_MAX']}"
        )
    query = request.args.get("q", "").strip()[: config["CPV_QUERY_MAX_CHARS"]]
    terms = (
        taxonomies.search_cpv(query, limit) if len(query) >= config["CPV_QUERY_MIN_CHARS"] else []
    )
    return jsonify({"results": [{"code": t.code, "label": t.label} for t in terms]})


@bp.route("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(external_url("api.search_suppliers"), current_app.config))
