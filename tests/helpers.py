"""Helpers the tests share: driving forms like a browser does, reading e-mails and checking
them against the standards, reading search results and published suppliers, and where the
Contracts Finder sample data is."""

import email
import re
from email import policy, utils
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import selectinload
from sqlmodel import select

from locator.db import sql_engine
from locator.models import Supplier
from locator.services import accounts
from locator.services import admin as admin_service

TEST_PASSWORD = "correct horse battery"  # long enough, and on no list of common passwords


def csrf_token(response) -> str:
    match = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.data)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def post_form(client, url: str, data: dict, follow_redirects: bool = True, form_page=None):
    """GET the page with the form (`url` unless `form_page` says) for its CSRF token, then POST
    the form like a browser would."""
    token = csrf_token(client.get(form_page or url))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=follow_redirects)


ORGANISATION = {
    "name": "Kestrel Hill Cyber Ltd",
    "legal_form": "limited-company",
    "companies_house_number": "sc12345",
    "summary": "Penetration testing and cyber security for councils and the NHS.",
    "description": "We test public-sector systems the way attackers would.",
}
SERVICES = {"services": "Penetration testing\nIncident response", "cpv_codes": "72000000-5"}
MARKETS = {"sectors": ["health-social-care", "local-government"], "regions": ["TLD"]}
CONTACT = {"contact_email": "enquiries@kestrel.example"}
ADMIN_EMAIL = "admin@example.com"


def build_publishable_profile(client) -> None:
    """Fill in the sections a profile needs before it can be published, as a supplier would."""
    for slug, data in (("organisation", ORGANISATION), ("services", SERVICES),
                       ("markets", MARKETS), ("contact", CONTACT)):
        response = post_form(client, f"/profile/section/{slug}", data)
        assert response.status_code == 200
        assert b"saved." in response.data, slug


def publish_as_new_owner(client, session, email: str = "owner@example.com") -> Supplier:
    """An account made and confirmed in the database (as the e-mail link would), signed in on
    `client` (a test client or a real node's), whose profile is built there, sent for review and
    approved in the database (as an admin would): for tests about what happens afterwards."""
    user = accounts.register(session, email, TEST_PASSWORD)
    accounts.confirm_email(session, user, user.email)
    signed_in = post_form(client, "/account/sign-in", {"email": email, "password": TEST_PASSWORD})
    assert b"Sign out" in signed_in.data, signed_in.data[:300]
    build_publishable_profile(client)
    assert b"sent for review" in post_form(client, "/profile/publish", {},
                                           form_page="/profile").data
    session.expire_all()
    supplier = session.exec(select(Supplier).where(Supplier.owner_id == user.id)).one()
    admin_service.approve(session, supplier)
    return supplier


def search_api(client, query: str = "", **params) -> dict:
    """The JSON API's search results for `query` and `params`, checking it answered 200."""
    response = client.get("/api/v1/suppliers", query_string={"q": query, **params})
    assert response.status_code == 200, response.data
    return response.get_json()


def published_suppliers(session) -> list[Supplier]:
    """Every published supplier, with its accreditations, as the database has them now."""
    session.expire_all()
    return list(session.exec(select(Supplier).where(Supplier.status == "published").options(
        selectinload(Supplier.accreditations))))


ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_FINDER_CSV = ROOT / "tests" / "data" / "contractsfinder_awards_2020.csv"
CONTRACTS_FINDER_JSONL = ROOT / "tests" / "data" / "contractsfinder_suppliers.jsonl"


def admin_client(app, email: str = ADMIN_EMAIL):
    """A second browser, signed in as an administrator made with `locator create-admin`."""
    made = app.test_cli_runner().invoke(args=["create-admin", email, "--password", TEST_PASSWORD])
    assert made.exit_code == 0, made.output
    client = app.test_client()
    signed_in = post_form(client, "/account/sign-in", {"email": email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 200
    return client


def publish_approved(client, admin, session) -> Supplier:
    """The supplier behind `client` builds and sends its profile; `admin` approves it."""
    build_publishable_profile(client)
    assert b"sent for review" in post_form(client, "/profile/publish", {},
                                           form_page="/profile").data
    supplier = session.exec(select(Supplier)).one()
    approved = post_form(admin, f"/admin/suppliers/{supplier.id}/approve", {})
    assert b"The profile is published" in approved.data
    session.expire_all()
    return session.exec(select(Supplier)).one()


# E-mail.


class MailRecorder:
    """An SMTP server's handler (aiosmtpd): keeps every accepted message, as sent and parsed;
    refuses a recipient listed in `refuse` once."""

    def __init__(self):
        self.raw: list[bytes] = []
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            self.refuse.discard(address)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def outbox(app) -> list[EmailMessage]:
    """What the app wrote to its outbox folder (it does with no SMTP host), oldest first."""
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))]


def mail_to(app, address: str) -> list[EmailMessage]:
    """The e-mails the app sent to `address`, oldest first: to its outbox folder, or to the
    test SMTP server when the test uses the `smtp` fixture."""
    recorder = app.extensions.get("test_smtp")
    sent = recorder.messages if recorder else outbox(app)
    return [message for message in sent if message["To"] == address.lower()]


def mail_link(message: EmailMessage, path: str) -> str:
    """The path (and query) of the message's link to `path…`, as a test client asks for it."""
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", text)
    assert match, f"no link to {path} in {message['Subject']!r}:\n{text}"
    return match.group(1)


_HREF = re.compile(r'href="([^"]*)"')
_URL = re.compile(r"https?://[^\s<>\"]+")


def email_problems(raw: bytes) -> list[str]:
    """How a message as sent breaks the rules mail systems hold it to: RFC 5322 (required
    headers, line length), MIME, a plain-text part, absolute links that the text part shares
    with the HTML one, and RFC 8058's raw List-Unsubscribe headers. Empty if none."""
    problems = []
    lines = raw.split(b"\n")
    problems += [f"line over 998 octets: {line[:60]!r}…" for line in lines
                 if len(line.rstrip(b"\r")) > 998]
    try:
        message = email.message_from_bytes(raw, policy=policy.strict)
        for name, value in message.items():
            problems += [f"{name}: {defect!r}" for defect in getattr(value, "defects", ())]
    except Exception as error:  # policy.strict raises on any defect
        return [*problems, f"does not parse strictly: {error!r}"]
    for name in ("From", "To", "Date", "Message-ID", "Subject", "MIME-Version"):
        if len(message.get_all(name) or []) != 1:
            problems.append(f"needs exactly one {name} header")
    if message["Date"] and utils.parsedate_to_datetime(str(message["Date"])).tzinfo is None:
        problems.append("Date has no time zone")
    if message["Message-ID"] and not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>",
                                                  str(message["Message-ID"]).strip()):
        problems.append(f"malformed Message-ID {message['Message-ID']}")
    text = message.get_body(("plain",))
    if text is None:
        return [*problems, "no text/plain part"]
    text_urls = set(_URL.findall(text.get_content()))
    html = message.get_body(("html",))
    for href in _HREF.findall(html.get_content()) if html is not None else []:
        if not href.startswith(("https://", "http://")):
            problems.append(f"relative link in the HTML part: {href}")
        elif href.replace("&amp;", "&") not in text_urls:
            problems.append(f"HTML link missing from the text part: {href}")
    if message["List-Unsubscribe"] is not None:
        [header] = re.findall(rb"^List-Unsubscribe:(.*)$", raw, re.MULTILINE)
        if not re.fullmatch(rb" <https://[^\s<>]+>\r?", header):
            problems.append(f"List-Unsubscribe not a raw <https://…> (RFC 8058): {header!r}")
        if not re.search(rb"^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$", raw,
                         re.MULTILINE):
            problems.append("no raw List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    return problems


class SelectsSent:
    """The SELECT statements the app sends meanwhile: `with SelectsSent(app) as sent:`."""

    def __init__(self, app):
        self.engine, self.sent = sql_engine(app), []

    def _record(self, conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            self.sent.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.sent

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)
