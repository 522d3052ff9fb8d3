"""The buyer and supplier experience, end to end in a real browser: a supplier registers, builds
and publishes a profile; a buyer finds it by searching and filtering. axe-core checks every page
on the way (see conftest.py), and LOCATOR_SCREENSHOTS=DIR saves screenshots of the key pages."""

from __future__ import annotations

import email
import io
import re
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

SUPPLIER = "Quillmoor Hydrographic Surveys Ltd"
SEARCH_WORD = "hydrographic"  # in the profile, and in none of the demo suppliers
EMAIL = "owner@quillmoor.example"
PASSWORD = "correct horse battery staple"
REGION = "Wales"
SECTOR = "Transport"


def save(page: Page, button: str = "Save and continue") -> None:
    page.get_by_role("button", name=button).click()


def expect_saved(page: Page, message: str) -> None:
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(message)


def open_section(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def wait_for_search(page: Page, path: str, link_name: str, timeout: float = 10.0) -> None:
    """Reload the search page until the index worker has added the supplier (bounded poll)."""
    deadline = time.monotonic() + timeout
    page.goto(path)
    link = page.get_by_role("link", name=link_name, exact=True)
    while link.count() == 0:
        assert time.monotonic() < deadline, f"{link_name!r} not in search results after {timeout}s"
        page.wait_for_timeout(250)
        page.reload()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (11, 80, 140)).save(out, format="PNG")
    return out.getvalue()


def _read_mail(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def mail_link(app, address: str, path: str) -> str:
    """The link to `path…` in the latest e-mail the served app wrote to `address`."""
    outbox = sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    [*_, message] = [m for m in map(_read_mail, outbox) if m["To"] == address]
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"http://\S+{re.escape(path)}\S*", body).group(0)


def sign_in(page: Page, address: str, password: str) -> None:
    page.goto("/account/sign-in")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_supplier_publishes_and_buyer_finds_them(new_context, live_server, audit, axe):
    supplier = new_context().new_page()

    # Home, then registering (first with an empty form, to check the error state).
    supplier.goto("/")
    audit(supplier, "home", screenshot=True)
    supplier.get_by_role("link", name="Register your business").first.click()
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Create an account")
    audit(supplier, "register", screenshot=True)
    save(supplier, "Create account")
    expect(supplier.locator(".govuk-error-summary")).to_be_visible()
    expect(supplier).to_have_title(re.compile(r"^Error: "))
    audit(supplier, "register-errors", screenshot=True)
    supplier.get_by_label("Email address").fill(EMAIL)
    supplier.get_by_label("Create a password").fill(PASSWORD)
    supplier.get_by_label("Confirm your password").fill(PASSWORD)
    save(supplier, "Create account")
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit(supplier, "register-check-email")

    # The link in the e-mail confirms the address; then the supplier signs in.
    supplier.goto(mail_link(live_server.app, EMAIL, "/account/confirm-email/"))
    audit(supplier, "confirm-email")
    supplier.get_by_role("button", name="Confirm email address").click()
    expect(supplier.locator(".govuk-notification-banner")).to_contain_text("is confirmed")
    sign_in(supplier, EMAIL, PASSWORD)
    expect(supplier).to_have_url(re.compile(r"/profile$"))
    audit(supplier, "dashboard-new", screenshot=True)

    # Organisation details.
    open_section(supplier, "Organisation details")
    audit(supplier, "section-organisation", screenshot=True)
    supplier.get_by_label("Organisation name").fill(SUPPLIER)
    supplier.get_by_label("Limited company", exact=True).check()
    supplier.get_by_label("Companies House number (optional)").fill("SC765432")
    supplier.get_by_label("Summary").fill(
        "Hydrographic and topographic surveys of harbours, rivers and coastal defences."
    )
    supplier.get_by_label("Description").fill(
        "We survey harbour beds, river channels and sea walls for ports, councils and the "
        "Environment Agency, using multibeam sonar and drones."
    )
    save(supplier)
    expect_saved(supplier, "Organisation details saved.")

    # Size and type.
    open_section(supplier, "Size and type")
    audit(supplier, "section-size")
    supplier.get_by_role("group", name=re.compile("How many people")).get_by_label(
        "11 to 50"
    ).check()
    supplier.get_by_role("group", name=re.compile("annual turnover")).get_by_label(
        "£1 million to £15 million"
    ).check()
    save(supplier)
    expect_saved(supplier, "Size and type saved.")

    # Services, with a CPV code found by the page's code finder.
    open_section(supplier, "Services and categories")
    supplier.get_by_label("Services you offer").fill(
        "Hydrographic surveys\nTopographic surveys\nDrone inspection"
    )
    supplier.get_by_label("Find CPV codes").fill("surveying")
    supplier.get_by_role("button", name="Search codes").click()
    code = supplier.get_by_label(re.compile(r"^71355000 – "))
    expect(code).to_be_visible()
    expect(supplier.get_by_label("Services you offer")).to_have_value(re.compile("Hydrographic"))
    audit(supplier, "section-services", screenshot=True)
    code.check()
    save(supplier)
    expect_saved(supplier, "Services and categories saved.")

    # Sectors and regions.
    open_section(supplier, "Sectors and regions")
    audit(supplier, "section-markets")
    supplier.get_by_label(SECTOR, exact=True).check()
    supplier.get_by_label("Local government", exact=True).check()
    supplier.get_by_label(REGION, exact=True).check()
    save(supplier)
    expect_saved(supplier, "Sectors and regions saved.")

    # The optional sections: each page is checked, and contact details are filled in.
    for title in ("Frameworks", "Social value"):
        open_section(supplier, title)
        audit(supplier, f"section-{title.lower().replace(' ', '-')}")
        supplier.get_by_role("link", name="Back to your profile").click()
    open_section(supplier, "Contact details")
    audit(supplier, "section-contact")
    supplier.get_by_label("Email address for enquiries").fill("surveys@quillmoor.example")
    save(supplier)
    expect_saved(supplier, "Contact details saved.")

    # An accreditation, with GOV.UK date inputs; first an impossible date, to see the error.
    supplier.get_by_role("link", name="Add an accreditation").click()
    audit(supplier, "accreditation-form", screenshot=True)
    supplier.get_by_label("Accreditation", exact=True).select_option(label="Cyber Essentials")
    supplier.get_by_label("Certificate number (optional)").fill("CE-2025-0042")
    supplier.get_by_label("Certifying body (optional)").fill("IASME")
    supplier.get_by_label("Link to evidence (optional)").fill("https://iasme.example/CE-2025-0042")
    fill_date(supplier, "Date issued (optional)", "31", "2", "2025")
    save(supplier, "Save accreditation")
    expect(supplier.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    audit(supplier, "accreditation-errors", screenshot=True)
    supplier.locator(".govuk-error-summary a").first.click()  # takes you to the day box
    issued = supplier.get_by_role("group", name="Date issued (optional)")
    expect(issued.get_by_label("Day")).to_be_focused()
    fill_date(supplier, "Date issued (optional)", "1", "3", "2026")
    fill_date(supplier, "Expiry date (optional)", "28", "2", "2099")
    save(supplier, "Save accreditation")
    expect_saved(supplier, "The accreditation has been saved.")

    # A case study.
    supplier.get_by_role("link", name="Add a case study").click()
    audit(supplier, "case-study-form")
    supplier.get_by_label("Title").fill("Surveying the Menai Strait moorings")
    supplier.get_by_label("Client", exact=True).fill("Isle of Anglesey County Council")
    supplier.get_by_label("Client’s sector").select_option(label="Local government")
    supplier.get_by_label("Year the work finished").fill("2025")
    supplier.get_by_label("The challenge").fill("Moorings had silted up and charts were old.")
    supplier.get_by_label("What you did").fill("A multibeam survey of 40 moorings in 3 weeks.")
    supplier.get_by_label("The outcome").fill("New charts; dredging limited to 6 moorings.")
    supplier.get_by_label("£25,000 to £100,000").check()
    save(supplier, "Save case study")
    expect_saved(supplier, "The case study has been saved.")

    # A logo: a wrong file first, to see the error, then a PNG.
    supplier.get_by_role("link", name="Add a logo").click()
    audit(supplier, "logo-form", screenshot=True)
    logo = supplier.get_by_label("Upload a logo")
    logo.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"no"}])
    save(supplier, "Upload logo")
    expect(supplier.locator(".govuk-error-summary")).to_contain_text("PNG, JPEG or WebP")
    audit(supplier, "logo-errors")
    logo.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}])
    save(supplier, "Upload logo")
    expect_saved(supplier, "Your logo has been uploaded.")

    # Send for review; an administrator approves it and verifies the accreditation.
    audit(supplier, "dashboard-complete", screenshot=True)
    supplier.get_by_role("button", name="Send for review").click()
    expect(supplier.locator(".govuk-notification-banner")).to_contain_text("sent for review")
    expect(supplier.get_by_text("Waiting for review", exact=True)).to_be_visible()
    audit(supplier, "dashboard-waiting")
    admin = admin_signs_in(new_context, live_server)
    admin_approves_and_verifies(admin, audit)
    supplier.reload()
    expect(supplier.get_by_text("Published", exact=True)).to_be_visible()

    # A buyer, signed out in a browser of their own, searches and filters.
    buyer = new_context().new_page()
    wait_for_search(buyer, f"/search?q={SEARCH_WORD}", SUPPLIER)
    expect(buyer.locator("#result-count")).to_have_text("1 supplier found")
    buyer.get_by_role("group", name="Region").get_by_label(re.compile(f"^{REGION} ")).check()
    expect(buyer).to_have_url(re.compile(r"region=TLL"))
    buyer.get_by_role("group", name="Sector").get_by_label(re.compile(f"^{SECTOR} ")).check()
    expect(buyer).to_have_url(re.compile(r"sector=transport"))
    remove = buyer.get_by_role("link", name=re.compile(f"Remove filter.*Region: {REGION}"))
    expect(remove).to_be_visible()
    expect(buyer.get_by_role("link", name=SUPPLIER, exact=True)).to_be_visible()
    audit(buyer, "search-filtered", screenshot=True)

    buyer.get_by_role("link", name=SUPPLIER, exact=True).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(SUPPLIER)
    expect(buyer.get_by_text("Cyber Essentials").first).to_be_visible()
    expect(buyer.get_by_text(re.compile(r"Verified by Supplier Locator on \d+ \w+ \d{4}"))
           ).to_be_visible()
    expect(buyer.get_by_text("Surveying the Menai Strait moorings")).to_be_visible()
    assert buyer.locator("img.app-logo").evaluate("(img) => img.naturalWidth") == 64
    audit(buyer, "supplier-profile", screenshot=True)

    # The rest of the public pages.
    buyer.goto("/suppliers?letter=Q")
    expect(buyer.get_by_role("link", name=SUPPLIER, exact=True)).to_be_visible()
    audit(buyer, "suppliers-a-to-z", screenshot=True)
    buyer.goto("/search")
    audit(buyer, "search-empty", screenshot=True)
    buyer.goto("/search?sort=newest")  # newest arrivals, until a page of their own exists
    audit(buyer, "search-newest")
    for label, path in (
        ("cookies", "/cookies"),
        ("accessibility", "/accessibility"),
        ("privacy", "/privacy"),
        ("feedback", "/feedback"),
        ("sign-in", "/account/sign-in"),
        ("forgotten-password", "/account/forgotten-password"),
    ):
        buyer.goto(path)
        audit(buyer, label)
    # This week's new arrivals show the supplier; the buyer subscribes to the weekly digest and
    # confirms through the link in the e-mail (written to the outbox folder, as in development).
    buyer.get_by_role("link", name="New arrivals").click()
    expect(buyer.get_by_role("link", name=SUPPLIER, exact=True)).to_be_visible()
    audit(buyer, "new-arrivals", screenshot=True)
    buyer.get_by_role("link", name="Get a weekly email of new suppliers").click()
    buyer.get_by_label("Email address").fill("buyer@council.example")
    audit(buyer, "digest-subscribe", screenshot=True)
    buyer.get_by_role("button", name="Subscribe").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit(buyer, "digest-check-email")
    buyer.goto(mail_link(live_server.app, "buyer@council.example", "/subscribe/confirm/"))
    audit(buyer, "digest-confirm")
    buyer.get_by_role("button", name="Confirm subscription").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Subscription confirmed")
    audit(buyer, "digest-confirmed")

    admin_visits_every_list(admin, audit)

    # The supplier's account pages, then signing out (a confirmation page, then a POST).
    supplier.get_by_role("link", name="Your account").click()
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Your account")
    audit(supplier, "account", screenshot=True)
    for label, path in (
        ("change-password", "/account/change-password"),
        ("change-email", "/account/change-email"),
        ("delete-account", "/account/delete"),
    ):
        supplier.goto(path)
        audit(supplier, label)
    supplier.get_by_role("button", name="Delete account").click()  # no password: an error
    expect(supplier.locator(".govuk-error-summary")).to_be_visible()
    audit(supplier, "delete-account-errors")
    supplier.get_by_role("link", name="Sign out").click()
    audit(supplier, "sign-out")
    supplier.get_by_role("button", name="Sign out").click()
    expect(supplier.locator(".govuk-notification-banner")).to_contain_text("You have signed out")

    axe.assert_clean()


ADMIN_EMAIL = "admin@quillmoor-locator.example"


def admin_signs_in(new_context, live_server) -> Page:
    made = live_server.app.test_cli_runner().invoke(
        args=["create-admin", ADMIN_EMAIL, "--password", PASSWORD]
    )
    assert made.exit_code == 0, made.output
    admin = new_context().new_page()
    admin.goto("/account/sign-in")
    admin.get_by_label("Email address").fill(ADMIN_EMAIL)
    admin.get_by_role("textbox", name="Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    return admin


def admin_approves_and_verifies(admin: Page, audit) -> None:
    """The review queue, the supplier's admin page, approval, and an accreditation checked."""
    admin.get_by_role("link", name="Admin", exact=True).click()
    audit(admin, "admin-home", screenshot=True)
    admin.get_by_role("link", name="New profiles to review").click()
    audit(admin, "admin-reviews")
    admin.get_by_role("link", name=SUPPLIER).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(SUPPLIER)
    audit(admin, "admin-supplier", screenshot=True)
    admin.get_by_role("link", name="Reject").click()
    admin.get_by_role("button", name="Reject profile").click()  # no reason: an error
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    audit(admin, "admin-reject-errors")
    admin.get_by_role("link", name="Cancel").click()
    admin.get_by_role("link", name="Approve and publish").click()
    audit(admin, "admin-approve")
    admin.get_by_role("button", name="Approve and publish").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("The profile is published")
    admin.get_by_role("link", name=re.compile("^Check")).click()
    audit(admin, "admin-verify")
    admin.get_by_role("button", name="Mark as verified").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("verified")


def admin_visits_every_list(admin: Page, audit) -> None:
    """axe on the admin pages the approval journey did not open."""
    for label, link in (("admin-edits", "Changed profiles"), ("admin-claims", "Claims"),
                        ("admin-accreditations", "Accreditations to verify"),
                        ("admin-suppliers", "Suppliers"), ("admin-accounts", "Accounts")):
        admin.goto("/admin")
        admin.get_by_role("link", name=link, exact=True).click()
        expect(admin.get_by_role("heading", level=1)).to_be_visible()
        audit(admin, label)
    admin.get_by_label("Email address, or part of it").fill("quillmoor.example")
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=EMAIL).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(EMAIL)
    audit(admin, "admin-account")
    admin.goto("/admin/suppliers?q=quillmoor&status=published")
    admin.get_by_role("link", name=SUPPLIER).click()
    admin.get_by_role("link", name="Suspend").click()
    audit(admin, "admin-suspend")
