"""Registering, signing in and out, through the real app and database."""

from helpers import TEST_PASSWORD, csrf_token, post_form
from sqlmodel import select

from locator.models import User


def test_register_creates_a_hashed_account_and_signs_in(client, session, sign_up):
    response = sign_up("Owner@Example.com")
    assert b"Your account has been created" in response.data
    user = session.exec(select(User)).one()
    assert user.email == "owner@example.com"
    assert user.role == "supplier"
    assert TEST_PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert client.get("/profile").status_code == 200


def test_duplicate_email_is_refused_case_insensitively_and_input_kept(client, session, sign_up):
    sign_up("owner@example.com")
    client.post("/account/sign-out", data={})  # CSRF-less post is refused: still signed in
    with client.session_transaction() as flask_session:
        flask_session.clear()
    response = post_form(
        client,
        "/account/register",
        {"email": "OWNER@example.com", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD},
    )
    assert b"An account already uses this email address" in response.data
    assert b'value="OWNER@example.com"' in response.data
    assert b"govuk-error-summary" in response.data
    assert len(session.exec(select(User)).all()) == 1


def test_register_validation_messages(client, session):
    response = post_form(
        client,
        "/account/register",
        {"email": "not-an-email", "password": "short", "confirm": "different"},
    )
    assert response.status_code == 200
    assert b"Enter an email address in the correct format" in response.data
    assert b"Password must be between 10 and 128 characters" in response.data
    assert b"Passwords do not match" in response.data
    assert b"<title>Error: " in response.data
    assert session.exec(select(User)).all() == []


def test_sign_in_wrong_password_then_right_one_records_last_login(client, session, sign_up):
    sign_up("owner@example.com")
    with client.session_transaction() as flask_session:
        flask_session.clear()
    wrong = post_form(
        client, "/account/sign-in", {"email": "owner@example.com", "password": "nope nope nope"}
    )
    assert b"Enter a correct email address and password" in wrong.data
    assert session.exec(select(User)).one().last_login_at is None

    right = post_form(
        client, "/account/sign-in", {"email": "Owner@Example.com", "password": TEST_PASSWORD}
    )
    assert right.status_code == 200
    session.expire_all()
    assert session.exec(select(User)).one().last_login_at is not None


def test_sign_out_needs_the_form_and_ends_the_session(client, sign_up):
    sign_up()
    assert client.get("/account/sign-out").status_code == 200
    response = post_form(client, "/account/sign-out", {})
    assert b"You have signed out" in response.data
    assert client.get("/profile").status_code == 302


def test_sign_in_next_only_goes_to_this_site(client, sign_up):
    sign_up()
    with client.session_transaction() as flask_session:
        flask_session.clear()
    token_page = client.get("/account/sign-in")
    data = {
        "email": "owner@example.com",
        "password": TEST_PASSWORD,
        "csrf_token": csrf_token(token_page),
    }
    evil = client.post("/account/sign-in?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/profile"
    with client.session_transaction() as flask_session:
        flask_session.clear()
    data["csrf_token"] = csrf_token(client.get("/account/sign-in"))
    good = client.post("/account/sign-in?next=/suppliers", data=data)
    assert good.headers["Location"] == "/suppliers"


def test_form_without_csrf_token_is_refused_with_a_page_not_a_500(client):
    response = client.post(
        "/account/register",
        data={"email": "a@example.com", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD},
    )
    assert response.status_code == 400
    assert b"Your form expired" in response.data


def test_create_admin_command(runner, session):
    result = runner.invoke(args=["create-admin", "Boss@Example.com", "--password",
                                 TEST_PASSWORD])
    assert result.exit_code == 0, result.output
    assert session.exec(select(User)).one().role == "admin"
    again = runner.invoke(args=["create-admin", "boss@example.com", "--password", TEST_PASSWORD])
    assert "Promoted" in again.output
    short = runner.invoke(args=["create-admin", "x@example.com", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
