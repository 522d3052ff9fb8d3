"""Supplier Locator: a procurement directory where UK public-sector buyers find SMEs, charities and
social enterprises."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class SlugConverter(BaseConverter):
    """Profile slugs as `identifiers.slugify` makes them; anything else is a 404 before any
    query (PostgreSQL would refuse, say, a NUL byte with an error)."""

    regex = r"[a-z0-9][a-z0-9-]{0,99}"


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: configuration, database, accounts, templates and blueprints."""
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")

    from . import config

    app.config.update(
        config.load(app.instance_path, testing=bool((test_config or {}).get("TESTING")))
    )
    app.url_map.converters["slug"] = SlugConverter
    if test_config:
        app.config.update(test_config)
    if app.config["PROXY_HOPS"]:
        # The client's address and scheme as the proxies saw them, trusting only their entries.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from . import db, errors, limits, login, search_runtime, security, templating

    security.init_app(app)  # first: the size limit must run before CSRF reads a form
    db.init_app(app)
    login.init_app(app)
    limits.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    search_runtime.init_app(app)

    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    from .blueprints import (
        account,
        admin,
        api,
        arrivals,
        auth,
        digest,
        health,
        pages,
        profile,
        search,
        suppliers,
    )

    for module in (pages, auth, account, search, arrivals, digest, suppliers, profile, api,
                   admin, health):
        app.register_blueprint(module.bp)

    from . import cli

    cli.init_app(app)
    return app
