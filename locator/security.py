"""Protections on every request and response: security headers, the trusted-host check and the
request size limit. SECURITY.md says what each one is for.

- Headers: a Content-Security-Policy that lets scripts run only from this site's own `/static/`
  files or with this response's nonce (the GOV.UK template's one inline line that marks the page
  as having JavaScript carries it), framing refused, no MIME sniffing, a cross-site referrer
  without its path, and HSTS outside development.
- Hosts: Flask refuses a Host header not in `TRUSTED_HOSTS`; the refusal is answered here with a
  plain page, as no URL can be built for a host that is not ours.
- Size: a body larger than `MAX_CONTENT_LENGTH` is refused with 413 before anything reads it.
- Events: `security_event` writes what an operator needs to see an attack (failed and throttled
  sign-ins, refused forms and hosts, rate limits, admin decisions) to the `locator.security` log.
"""

from __future__ import annotations

import json
import logging
import re
import secrets

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from werkzeug.exceptions import SecurityError

SCRIPT_NONCE = "csp_nonce"
log = logging.getLogger("locator.security")
_PLAIN = re.compile(r"[\w.:/@-]{1,100}")


def _logged(value) -> str:
    """A value as one token of the log line: plain words as they are, anything else quoted and
    escaped, so that nothing a client sends can forge a line or a field (ASVS V7.3.1)."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text[:200])


def security_event(event: str, level: int = logging.WARNING, **details) -> None:
    """Log `event` with the client's address and `details` (account ids, endpoints, waits).
    Never pass a password, token, cookie or an address typed into a form: people type their
    password into the e-mail box. The fields are also on the record as `record.security`."""
    fields = {"event": event, "client": request.remote_addr if has_request_context() else None,
              **details}
    log.log(level, " ".join(f"{name}={_logged(value)}" for name, value in fields.items()),
            extra={"security": fields})


def csp_nonce() -> str:
    """This response's script nonce, made when a page first asks for it."""
    if SCRIPT_NONCE not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str | None) -> str:
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get(SCRIPT_NONCE)))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    hsts = current_app.config.get("HSTS")
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    return response


def _refuse_large_bodies() -> None:
    """A declared length over the limit is refused before any view, CSRF check or route match
    reads the body (a chunked body is cut off by Werkzeug as it is read)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)


def _unknown_host(error: SecurityError) -> Response:
    # No template: building any URL for a host we do not serve would fail again.
    security_event("host.refused", host=request.environ.get("HTTP_HOST", ""))
    return Response(
        "Bad request: this site is not served at that address.\n",
        status=400,
        mimetype="text/plain",
    )


def init_app(app: Flask) -> None:
    app.before_request(_refuse_large_bodies)
    app.after_request(_headers)
    app.register_error_handler(SecurityError, _unknown_host)
    # The GOV.UK page template puts `cspNonce` on its inline script.
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
