"""The feedback form: stored for admins, input kept on an error, limited like other public
forms, and listed for admins a page at a time."""

from __future__ import annotations

from helpers import admin_client, csrf_token, post_form
from sqlmodel import select

from locator.models import Feedback


def test_feedback_is_stored_with_the_page_it_came_from(client, session):
    page = client.get("/search?q=cleaning")
    assert b'href="/feedback?from=/search?q%3Dcleaning"' in page.data  # the Beta banner's link
    form = client.get("/feedback?from=/search?q%3Dcleaning")
    assert b'name="page" type="hidden" value="/search?q=cleaning"' in form.data
    sent = client.post(
        "/feedback",
        data={"csrf_token": csrf_token(form), "page": "/search?q=cleaning",
              "doing": "Looking for a cleaner", "comments": "No results for Leeds\nat all",
              "email": " buyer@example.gov.uk "},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    assert b"Thank you for your feedback" in sent.data
    stored = session.exec(select(Feedback)).one()
    assert (stored.doing, stored.comments, stored.email, stored.page) == (
        "Looking for a cleaner", "No results for Leeds\nat all", "buyer@example.gov.uk",
        "/search?q=cleaning",
    )


def test_blank_feedback_is_refused_keeping_what_was_typed(client, session):
    answer = post_form(client, "/feedback", {"doing": "Registering my business",
                                             "comments": "  ", "email": "not an address",
                                             "page": "https://elsewhere.example/"})
    assert answer.status_code == 200
    assert b"Tell us what went wrong or what would help" in answer.data
    assert b"Enter an email address in the correct format" in answer.data
    assert b"Registering my business" in answer.data
    assert b"not an address" in answer.data
    assert session.exec(select(Feedback)).all() == []
    # A page elsewhere is not kept as the page the feedback is about; no address is fine.
    post_form(client, "/feedback", {"comments": "Fine", "page": "//elsewhere.example/"})
    assert [(f.page, f.email) for f in session.exec(select(Feedback))] == [(None, None)]


def test_feedback_without_a_csrf_token_is_refused(client, session):
    answer = client.post("/feedback", data={"comments": "Spam"})
    assert answer.status_code == 400
    assert session.exec(select(Feedback)).all() == []


def test_feedback_is_rate_limited(client):
    token = csrf_token(client.get("/feedback"))
    statuses = [
        client.post("/feedback", data={"csrf_token": token, "comments": f"Note {n}"}).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert client.get("/feedback").status_code == 200  # reading the form is not limited


def test_admins_read_feedback_newest_first_a_page_at_a_time(app, client, session):
    for n in range(27):
        session.add(Feedback(comments=f"Message number {n}", email=f"p{n}@example.com"))
    session.commit()
    assert client.get("/admin/feedback").status_code in (302, 403)  # not for the public
    admin = admin_client(app)
    assert b"/admin/feedback" in admin.get("/admin").data
    first = admin.get("/admin/feedback")
    assert first.status_code == 200
    assert b"27 messages" in first.data
    assert b"Message number 26" in first.data and b"Message number 0<" not in first.data
    assert b"mailto:p26@example.com" in first.data
    last = admin.get("/admin/feedback?page=2")
    assert b"Message number 0<" in last.data
    assert admin.get("/admin/feedback?page=9").status_code == 404
    assert admin.get("/admin/feedback?page=x").status_code == 404
