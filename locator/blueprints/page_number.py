"""The `page` query argument of a paginated list: a whole number from 1, anything else a 404."""

from __future__ import annotations

from flask import abort, request

LAST = 100_000  # no list here has more pages; larger numbers are not worth a query


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= LAST:  # "²" isdigit
        abort(404)
    return int(raw)
