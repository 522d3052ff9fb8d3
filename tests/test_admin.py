"""/admin through the real app: who may see it, the review queue and its e-mails, suspending,
edits to published profiles (accept and revert), accounts, and pagination; each checked from
the supplier's and a buyer's side too."""

from helpers import (
    ORGANISATION,
    TEST_PASSWORD,
    admin_client,
    build_publishable_profile,
    mail_to,
    post_form,
    publish_approved,
    search_api,
)
from sqlmodel import select

from locator import search_runtime
from locator.models import Accreditation, AuditEvent, Claim, Supplier, User, utcnow


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _supplier(session) -> Supplier:
    session.expire_all()
    return session.exec(select(Supplier)).one()


def test_admin_pages_are_for_administrators_only(app, client, sign_up):
    assert client.get("/admin").status_code == 302  # signed out: to the sign-in page
    sign_up()
    for path in ("/admin", "/admin/reviews", "/admin/accounts", "/admin/suppliers/1"):
        assert client.get(path).status_code == 403, path
    admin = admin_client(app)
    page = admin.get("/admin").data.decode()
    assert "New profiles to review" in page
    assert 'href="/admin"' in page  # the admin's navigation has its link


def test_a_new_profile_is_published_only_when_approved(app, client, session, sign_up):
    app.config["BASE_URL"] = "https://locator.example"
    sign_up()
    build_publishable_profile(client)
    post_form(client, "/profile/publish", {}, form_page="/profile")
    supplier = _supplier(session)
    assert supplier.status == "submitted"
    search_runtime.sync(app)
    assert search_api(client.application.test_client(), "Kestrel")["total"] == 0
    assert app.test_client().get(f"/suppliers/{supplier.slug}").status_code == 404

    admin = admin_client(app)
    queue = admin.get("/admin/reviews").data.decode()
    assert supplier.name in queue
    approved = post_form(admin, f"/admin/suppliers/{supplier.id}/approve", {})
    assert b"The profile is published and its owner has been emailed" in approved.data
    assert _supplier(session).status == "published"
    search_runtime.sync(app)
    assert [r["slug"] for r in search_api(app.test_client(), "Kestrel")["results"]] == [
        supplier.slug]
    notice = mail_to(app, "owner@example.com")[-1]
    assert notice["Subject"] == "Kestrel Hill Cyber Ltd is published"
    # An absolute link (from LOCATOR_BASE_URL in production: tests/security/test_hosts.py).
    assert f"http://localhost/suppliers/{supplier.slug}" in _text(notice)
    assert supplier.name not in admin.get("/admin/reviews").data.decode()


def test_rejection_needs_a_reason_which_the_supplier_gets(app, client, session, sign_up):
    sign_up()
    build_publishable_profile(client)
    post_form(client, "/profile/publish", {}, form_page="/profile")
    supplier = _supplier(session)
    admin = admin_client(app)
    url = f"/admin/suppliers/{supplier.id}/reject"
    blank = post_form(admin, url, {"reason": "  "})
    assert b"Enter the reason" in blank.data and b"govuk-error-summary" in blank.data
    assert _supplier(session).status == "submitted"
    reason = "Your description is a copy of another supplier's website."
    post_form(admin, url, {"reason": reason})
    assert _supplier(session).status == "rejected"
    buyer = app.test_client()  # what a buyer sees: nothing
    search_runtime.sync(app)
    assert search_api(buyer, "Kestrel")["total"] == 0
    assert buyer.get(f"/suppliers/{supplier.slug}").status_code == 404
    assert supplier.name not in buyer.get("/suppliers").data.decode()
    notice = mail_to(app, "owner@example.com")[-1]
    assert "could not publish" in notice["Subject"]
    assert reason in _text(notice)
    dashboard = client.get("/profile").data.decode()
    assert "Rejected" in dashboard and "another supplier&#39;s website" in dashboard
    # They fix it and send it again: back in the queue.
    post_form(client, "/profile/publish", {}, form_page="/profile")
    assert _supplier(session).status == "submitted"
    # A decision that no longer applies is explained, not a 500.
    again = post_form(admin, f"/admin/suppliers/{supplier.id}/reinstate", {})
    assert b"Only a suspended profile can be reinstated" in again.data


def test_suspension_removes_the_supplier_everywhere_at_once(app, client, session, sign_up):
    sign_up()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    buyer = app.test_client()
    search_runtime.sync(app)
    assert search_api(buyer, "Kestrel")["total"] == 1
    assert supplier.name in buyer.get("/suppliers").data.decode()
    assert supplier.name in buyer.get("/new-arrivals").data.decode()

    post_form(admin, f"/admin/suppliers/{supplier.id}/suspend", {"reason": "Fake reviews"})
    assert _supplier(session).status == "suspended"
    search_runtime.sync(app)
    assert search_api(buyer, "Kestrel")["total"] == 0
    assert supplier.name not in buyer.get("/suppliers").data.decode()
    assert supplier.name not in buyer.get("/new-arrivals").data.decode()
    assert buyer.get(f"/suppliers/{supplier.slug}").status_code == 404
    assert "Fake reviews" in client.get("/profile").data.decode()
    # The supplier cannot lift it by publishing or unpublishing.
    form_page = "/profile/section/contact"  # the dashboard offers no button now
    assert post_form(client, "/profile/publish", {}, form_page=form_page,
                     follow_redirects=False).status_code == 403
    assert post_form(client, "/profile/unpublish", {}, form_page=form_page,
                     follow_redirects=False).status_code == 403
    assert _supplier(session).status == "suspended"

    post_form(admin, f"/admin/suppliers/{supplier.id}/reinstate", {})
    search_runtime.sync(app)
    assert search_api(buyer, "Kestrel")["total"] == 1


def test_edits_go_live_and_wait_for_review_then_revert(app, client, session, sign_up):
    sign_up()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    assert "Kestrel" not in admin.get("/admin/edits").data.decode()
    post_form(client, "/profile/section/organisation",
              {**ORGANISATION, "summary": "Cheap pills and miracle cures."})
    edited = _supplier(session)
    assert edited.summary == "Cheap pills and miracle cures."  # live at once
    assert edited.edited_since is not None
    assert "Kestrel" in admin.get("/admin/edits").data.decode()
    page = admin.get(f"/admin/suppliers/{supplier.id}").data.decode()
    assert "Penetration testing and cyber security for councils and the NHS." in page  # before
    assert "Cheap pills and miracle cures." in page  # after

    post_form(admin, f"/admin/suppliers/{supplier.id}/revert-edits", {"reason": "Spam"})
    reverted = _supplier(session)
    assert reverted.summary == ORGANISATION["summary"]
    assert reverted.edited_since is None
    search_runtime.sync(app)
    assert search_api(app.test_client(), "miracle")["total"] == 0
    public = app.test_client().get(f"/suppliers/{supplier.slug}").data.decode()
    assert ORGANISATION["summary"] in public and "miracle" not in public


def test_accepting_edits_clears_the_queue(app, client, session, sign_up):
    sign_up()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    post_form(client, "/profile/accreditations/new", {"type": "iso-9001"})
    assert _supplier(session).edited_since is not None
    post_form(admin, f"/admin/suppliers/{supplier.id}/accept-edits", {})
    accepted = _supplier(session)
    assert accepted.edited_since is None
    assert accepted.accreditations[0].type == "iso-9001"
    public = app.test_client().get(f"/suppliers/{supplier.slug}").data.decode()
    assert "ISO 9001" in public and "Self-declared" in public  # live, and still not verified
    assert "Kestrel" not in admin.get("/admin/edits").data.decode()


def test_admins_list_promote_and_disable_accounts(app, client, session, sign_up):
    sign_up("someone@example.com")
    admin = admin_client(app)
    found = admin.get("/admin/accounts", query_string={"q": "SOMEONE"}).data.decode()
    assert "someone@example.com" in found and "admin@example.com" not in found
    user = session.exec(select(User).where(User.email == "someone@example.com")).one()

    post_form(admin, f"/admin/accounts/{user.id}", {"action": "disable"})
    assert client.get("/profile").status_code == 302  # their session has ended
    again = app.test_client()
    refused = post_form(again, "/account/sign-in",
                        {"email": "someone@example.com", "password": TEST_PASSWORD})
    assert b"Enter a correct email address and password" in refused.data

    post_form(admin, f"/admin/accounts/{user.id}", {"action": "enable"})
    post_form(admin, f"/admin/accounts/{user.id}", {"action": "make-admin"})
    session.expire_all()
    user = session.exec(select(User).where(User.email == "someone@example.com")).one()
    assert (user.role, user.disabled_at) == ("admin", None)
    me = session.exec(select(User).where(User.email == "admin@example.com")).one()
    self_disable = post_form(admin, f"/admin/accounts/{me.id}", {"action": "disable"},
                             form_page=f"/admin/accounts/{user.id}")
    assert b"You cannot disable your own account" in self_disable.data
    assert admin.get("/admin/accounts/999999").status_code == 404


def test_a_disabled_account_s_profile_leaves_the_directory_until_enabled(app, client, session,
                                                                        sign_up):
    """What a buyer sees: search, the A to Z, new arrivals and their feed (whose query the
    digest uses too) and the profile page drop the supplier, and show it again on enabling."""
    sign_up()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    owner = session.exec(select(User).where(User.email == "owner@example.com")).one()
    buyer = app.test_client()

    def seen() -> dict[str, bool]:
        search_runtime.sync(app)
        return {"search": search_api(buyer, "Kestrel")["total"] == 1,
                **{path: supplier.name in buyer.get(path).data.decode()
                   for path in ("/suppliers", "/new-arrivals", "/new-arrivals.atom")},
                "profile": buyer.get(f"/suppliers/{supplier.slug}").status_code == 200}

    assert all(seen().values())
    post_form(admin, f"/admin/accounts/{owner.id}", {"action": "disable"})
    assert _supplier(session).status == "account-disabled"
    assert not any(seen().values())
    page = admin.get(f"/admin/suppliers/{supplier.id}").data.decode()
    assert "Hidden: its owner&#39;s account is disabled" in page
    assert "supplier disable" in page  # in the supplier's history as well as the account's

    post_form(admin, f"/admin/accounts/{owner.id}", {"action": "enable"})
    assert _supplier(session).status == "published"
    assert all(seen().values())
    actions = [e.action for e in session.exec(
        select(AuditEvent).where(AuditEvent.supplier_id == supplier.id).order_by(AuditEvent.id))]
    assert actions[-2:] == ["disable", "enable"]


def test_a_disabled_account_s_profile_waiting_for_review_is_not_approved(app, client, session,
                                                                         sign_up):
    sign_up()
    build_publishable_profile(client)
    post_form(client, "/profile/publish", {}, form_page="/profile")
    owner = session.exec(select(User).where(User.email == "owner@example.com")).one()
    admin = admin_client(app)
    post_form(admin, f"/admin/accounts/{owner.id}", {"action": "disable"})
    supplier = _supplier(session)
    refused = post_form(admin, f"/admin/suppliers/{supplier.id}/approve", {})
    assert b"Its owner&#39;s account is disabled: enable the account first." in refused.data
    post_form(admin, f"/admin/accounts/{owner.id}", {"action": "enable"})
    assert _supplier(session).status == "submitted"  # enabling publishes nothing unreviewed


def test_admin_lists_are_paginated(app, session):
    for n in range(23):
        session.add(Supplier(name=f"Queued {n:02d} Ltd", slug=f"queued-{n:02d}",
                             status="submitted"))
    session.commit()
    admin = admin_client(app)
    first = admin.get("/admin/reviews").data.decode()
    assert "23 suppliers" in first and "Queued 00 Ltd" in first and "Queued 22 Ltd" not in first
    assert 'href="/admin/reviews?page=2"' in first
    second = admin.get("/admin/reviews?page=2").data.decode()
    assert "Queued 22 Ltd" in second
    assert admin.get("/admin/reviews?page=3").status_code == 404
    assert admin.get("/admin/reviews?page=x").status_code == 404
    listed = admin.get("/admin/suppliers", query_string={"q": "queued 1", "status": "submitted"})
    assert listed.data.decode().count("Queued 1") == 10
    assert admin.get("/admin/suppliers?status=nonsense").status_code == 404


def test_every_admin_list_is_paginated(app, session):
    """21 of everything: each admin list (and each history) has a second page and no third."""
    made = []
    for n in range(21):
        user = User(email=f"user{n:02d}@example.com", password_hash="")
        supplier = Supplier(name=f"Listed {n:02d} Ltd", slug=f"listed-{n:02d}", status="published",
                            approved_record={}, edited_since=utcnow())
        supplier.accreditations = [Accreditation(type="iso-9001")]
        session.add_all([user, supplier])
        session.flush()
        session.add(Claim(supplier_id=supplier.id, user_id=user.id, message="Director"))
        made.append((supplier, user))
    first, first_user = made[0]
    for _ in range(21):
        session.add(AuditEvent(supplier_id=first.id, subject="supplier", subject_id=first.id,
                               action="update"))
        session.add(AuditEvent(subject="user", subject_id=first_user.id, action="update"))
    session.commit()
    admin = admin_client(app)
    for url in ("/admin/edits", "/admin/claims", "/admin/accreditations", "/admin/accounts",
                "/admin/suppliers", f"/admin/suppliers/{first.id}",
                f"/admin/accounts/{first_user.id}"):
        assert f'href="{url}?page=2"' in admin.get(url).data.decode(), url
        assert admin.get(f"{url}?page=2").status_code == 200, url
        assert admin.get(f"{url}?page=3").status_code == 404, url
