"""The e-mails the service sends, rendered from templates. Every link in them is built by
`urls.external_url`: from `LOCATOR_BASE_URL` in production, never from a request's Host header."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template

from . import taxonomies
from .limits import email_allowed
from .mailer import Mailer
from .models import Accreditation, Claim, Subscription, Supplier, User
from .services import accounts, digest
from .templating import uk_date
from .urls import external_url
from .weeks import IsoWeek


def mailer() -> Mailer:
    return Mailer(current_app.config)


def send(message: EmailMessage) -> None:
    """Send one message now, on a connection of its own."""
    sender = mailer()
    try:
        sender.send(message)
    finally:
        sender.close()


def send_limited(message: EmailMessage, kind: str) -> bool:
    """Send a message that anyone can make the service send to an address (a link to confirm,
    a reset, "you already have an account"), unless that mailbox has had its share of `kind`
    lately (`limits.email_allowed`: one per 10 minutes, three a day, whoever asks). Returns
    whether it went; the page a person sees must not depend on it."""
    if not email_allowed(message["To"], kind):
        return False
    send(message)
    return True


def _token(purpose: str, subscription: Subscription) -> str:
    return digest.make_token(current_app.config["SECRET_KEY"], purpose, subscription)


def unsubscribe_url(subscription: Subscription) -> str:
    return external_url("digest.unsubscribe", token=_token("unsubscribe", subscription))


def confirmation(sender: Mailer, subscription: Subscription) -> EmailMessage:
    context = {
        "subscription": subscription,
        "confirm_url": external_url("digest.confirm", token=_token("confirm", subscription)),
        "days": digest.CONFIRM_MAX_AGE.days,
    }
    return sender.message(
        subscription.email,
        "Confirm your weekly email of new suppliers",
        render_template("email/confirm.txt", **context),
        render_template("email/confirm.html", **context),
    )


def weekly_digest(
    sender: Mailer, subscription: Subscription, suppliers: list[Supplier], week: IsoWeek
) -> EmailMessage:
    unsubscribe = unsubscribe_url(subscription)
    context = {
        "subscription": subscription,
        "suppliers": suppliers,
        "week": week,
        "unsubscribe_url": unsubscribe,
        "week_url": external_url("arrivals.any_week", week=str(week), **subscription.filters),
    }
    count = len(suppliers)
    message = sender.message(
        subscription.email,
        f"{count} new supplier{'s' if count != 1 else ''}: week of {week.label}",
        render_template("email/digest.txt", **context),
        render_template("email/digest.html", **context),
    )
    # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


# Accounts. Each is addressed to the account's owner, whoever filled in the form that sent it.


def _account_message(
    sender: Mailer, to: str, subject: str, template: str, **context
) -> EmailMessage:
    context = {"subject": subject, **context}
    return sender.message(
        to,
        subject,
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def confirm_email(sender: Mailer, user: User, address: str | None = None) -> EmailMessage:
    """The link that confirms the owner reads `address`: the account's own, or the one they
    asked to change to."""
    token = accounts.email_token(current_app.config["SECRET_KEY"], user, address)
    return _account_message(
        sender,
        address or user.email,
        "Confirm your email address",
        "confirm_email",
        changing=address is not None and address != user.email,
        confirm_url=external_url("auth.confirm_email", token=token),
        days=accounts.VERIFY_MAX_AGE.days,
    )


def already_registered(sender: Mailer, user: User) -> EmailMessage:
    """Someone tried to register an address that has an account: tell its owner, not them."""
    return _account_message(
        sender,
        user.email,
        "You already have an account",
        "already_registered",
        sign_in_url=external_url("auth.sign_in"),
        reset_url=external_url("auth.forgotten_password"),
    )


def reset_password(sender: Mailer, user: User) -> EmailMessage:
    token = accounts.reset_token(current_app.config["SECRET_KEY"], user)
    return _account_message(
        sender,
        user.email,
        "Reset your password",
        "reset_password",
        reset_url=external_url("auth.reset_password", token=token),
        minutes=int(accounts.RESET_MAX_AGE.total_seconds() // 60),
    )


def no_account(sender: Mailer, address: str) -> EmailMessage:
    """A reset asked for an address with no account: the mailbox's owner learns that, and the
    person who asked learns nothing on the page."""
    return _account_message(
        sender,
        address,
        "Reset your password",
        "no_account",
        address=address,
        register_url=external_url("auth.register"),
    )


def password_changed(sender: Mailer, user: User) -> EmailMessage:
    return _account_message(
        sender,
        user.email,
        "Your password has been changed",
        "password_changed",
        reset_url=external_url("auth.forgotten_password"),
    )


def _notice(sender: Mailer, to: str, subject: str, paragraphs: list[str], link_text: str,
            link_url: str) -> EmailMessage:
    """A notice to a supplier: paragraphs, then one link."""
    return _account_message(sender, to, subject, "notice", paragraphs=paragraphs,
                            link_text=link_text, link_url=link_url)


def review_decision(sender: Mailer, supplier: Supplier) -> EmailMessage:
    """To the owner, after an admin approved (published) or rejected their new profile."""
    if supplier.is_published:
        return _notice(sender, supplier.owner.email, f"{supplier.name} is published",
                       ["We have checked your profile and published it. Buyers can now find "
                        "you on Supplier Locator."],
                       "View your profile", external_url("suppliers.profile", slug=supplier.slug))
    return _notice(sender, supplier.owner.email, f"We could not publish {supplier.name}",
                   ["We have checked your profile and could not publish it yet. The reason:",
                    supplier.status_reason or "",
                    "Change your profile, then send it for review again."],
                   "Go to your profile", external_url("profile.dashboard"))


def claim_decision(sender: Mailer, claim: Claim) -> EmailMessage:
    name = claim.supplier.name
    if claim.status == "approved":
        return _notice(sender, claim.user.email, f"You now manage {name}",
                       [f"We have checked your claim: your account now manages {name}. Check "
                        "every section, add your contact details and publish it."],
                       "Go to your profile", external_url("profile.dashboard"))
    return _notice(sender, claim.user.email, f"Your claim for {name}",
                   ["We have checked your claim and could not give you this profile. "
                    "The reason:", claim.reason or ""],
                   "View the profile", external_url("suppliers.profile", slug=claim.supplier.slug))


def expiry_reminder(sender: Mailer, accreditation: Accreditation) -> EmailMessage:
    supplier = accreditation.supplier
    label = taxonomies.accreditation_label(accreditation.type, accreditation.other_name)
    when = uk_date(accreditation.expires_on)
    return _notice(sender, supplier.owner.email, f"{label} expires on {when}",
                   [f"The {label} certificate on {supplier.name}’s profile expires on {when}. "
                    "After that date buyers no longer see it or find you by it.",
                    "When you have renewed it, enter the new expiry date on your profile."],
                   f"Update {label}",
                   external_url("profile.edit_child", kind="accreditations",
                             item_id=accreditation.id))
