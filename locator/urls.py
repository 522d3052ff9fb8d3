"""Absolute URLs: the one place the service builds a link that leaves the page it is on (e-mails,
the Atom feed, the JSON API's `url` fields, the OpenAPI `servers`).

In production every absolute URL starts with `LOCATOR_BASE_URL`, never with the Host header a
request happened to carry: otherwise anyone could make the service e-mail a genuine confirmation
link that points at their own site. In development, inside a request, links follow the address
the developer is browsing (so any port works); outside a request (the CLI) they use BASE_URL too.

Use `external_url(endpoint, **values)` wherever `url_for(..., _external=True)` would be written;
`tests/security/test_hosts.py` fails if `_external=True` appears anywhere else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def _from_base_url() -> bool:
    return current_app.config["LOCATOR_ENV"] == "production" or not has_request_context()


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` with `values` (path arguments, then query parameters; a
    list repeats the parameter), as `url_for` takes them."""
    if not _from_base_url():
        return url_for(endpoint, _external=True, **values)  # development: where the developer is
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
