"""Health checks for load balancers and process supervisors."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import search_runtime

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def ready():
    """Readiness: 200 when this process should get traffic, else 503, with the reasons."""
    ok, report = search_runtime.readiness()
    return jsonify(report), 200 if ok else 503, {"Cache-Control": "no-store"}


@bp.route("/healthz/live")
def live():
    """Liveness: the process answers (restart it if not); needs neither database nor index."""
    return jsonify({"status": "alive"}), 200, {"Cache-Control": "no-store"}
