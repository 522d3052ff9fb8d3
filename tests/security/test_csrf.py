"""Cross-site request forgery (ASVS V4.2.2, V13.2.3): every POST of the URL map, the admin's
decisions and signing out included, is refused with 400 unless it carries a CSRF token of the
sender's own session, signed out, as a supplier and as an administrator, and changes nothing. The
one exception is the e-mail's one-click unsubscribe (RFC 8058), whose signed token is the
authority. The JSON API takes no POST at all (its blueprint is exempt for that reason)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from helpers import TEST_PASSWORD, csrf_token
from security_helpers import database_snapshot, form_fields, known_arguments, sign_in, urls
from sqlmodel import select

from locator.blueprints.admin import ACTIONS
from locator.models import Subscription, Supplier, User
from locator.services import accounts

ADMIN_EMAIL = "admin@example.com"
EXEMPT = {"digest.unsubscribe"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _admin_arguments(supplier, owner) -> dict[str, list[dict]]:
    """The admin's forms, for real records: each decision on the supplier, its owner's account
    and its accreditation."""
    return {
        "admin.supplier_action": [{"supplier_id": supplier.id, "action": a} for a in ACTIONS],
        "admin.account": [{"user_id": owner.id}],
        "admin.verify": [{"item_id": supplier.accreditations[0].id}],
    }


def _form_data(browser, url: str, rule) -> dict[str, str]:
    """What the page's own form would send, first offered value of each field, token left out."""
    page = browser.get(url if "GET" in rule.methods else "/profile")
    html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
    fields = form_fields(html, None if "GET" in rule.methods else url, "post")
    fields.pop("csrf_token", None)
    return {name: (offered or ["x"])[0] for name, offered in fields.items()}


def _signed_in(browser) -> bool:
    with browser.session_transaction() as flask_session:
        return "_user_id" in flask_session


def test_every_post_needs_the_senders_own_csrf_token(app, client, supplier, session):
    session.add(Subscription(email="buyer@example.gov.uk", filters={}))
    session.commit()
    subscription = session.exec(select(Subscription)).first()
    owner = session.get(User, supplier.owner_id)
    accounts.make_admin(session, ADMIN_EMAIL, TEST_PASSWORD)
    admin = app.test_client()
    sign_in(admin, ADMIN_EMAIL)
    people = {"signed out": app.test_client(), "supplier": client, "admin": admin}
    known = {**known_arguments(app, supplier, subscription, owner, owner),
             **_admin_arguments(supplier, owner)}
    routes = urls(app, "POST", known)
    assert {rule.endpoint for rule, _ in routes} >= {
        "auth.sign_out", "admin.supplier_action", "admin.account", "profile.section"}
    # Another person's valid token: an attacker's own session's, put in a forged form.
    attacker = app.test_client()
    foreign = csrf_token(attacker.get("/account/sign-in"))

    accepted = set()
    for who, browser in people.items():
        for rule, url in routes:
            data = _form_data(browser, url, rule)
            for token in (None, foreign):
                before = database_snapshot(app)
                response = browser.post(url, data={**data, **({"csrf_token": token}
                                                              if token else {})})
                where = f"{who} POST {url} (token: {'foreign' if token else 'none'})"
                if response.status_code != 400:
                    accepted.add(rule.endpoint)
                    continue
                assert b"Your form expired" in response.data, where
                assert database_snapshot(app) == before, where
            assert _signed_in(browser) == (who != "signed out"), f"{who} after POST {url}"
    assert accepted == EXEMPT


def test_the_admins_decision_goes_through_with_its_token_and_not_without(app, supplier, session):
    """The form data above is what the page sends: with the token it does act."""
    accounts.make_admin(session, ADMIN_EMAIL, TEST_PASSWORD)
    admin = app.test_client()
    sign_in(admin, ADMIN_EMAIL)
    url = f"/admin/suppliers/{supplier.id}/suspend"
    page = admin.get(url)
    data = {"reason": "Fake business"}
    assert admin.post(url, data=data).status_code == 400
    session.rollback()  # end the read, so the next one sees what the app wrote since
    assert session.get(Supplier, supplier.id).status == "published"
    assert BeautifulSoup(page.data, "html.parser").find("textarea", {"name": "reason"})
    admin.post(url, data={**data, "csrf_token": csrf_token(page)})
    session.rollback()
    assert session.get(Supplier, supplier.id).status == "suspended"


def test_the_api_changes_nothing(app):
    """The API blueprint is exempt from CSRF checks because it has no state-changing route."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            assert not (rule.methods or set()) & STATE_CHANGING, rule.rule
