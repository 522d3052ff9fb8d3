"""Forms for registering, signing in and looking after an account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, ValidationError

from ..services import accounts
from .fields import email_field


def _password_policy(_form, field) -> None:
    problem = accounts.password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _new_password(label: str = "Create a password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=(
            f"Must be at least {accounts.MIN_PASSWORD} characters. "
            "Three or four unrelated words work well."
        ),
        render_kw={"params": {"autocomplete": "new-password"}},
        validators=[InputRequired("Enter a password"), _password_policy],
    )


def _confirm_password() -> PasswordField:
    return PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "new-password"}},
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", "Passwords do not match"),
        ],
    )


def _current_password(label: str = "Your current password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "current-password"}},
        validators=[InputRequired("Enter your current password")],
    )


def _email(label: str = "Email address") -> EmailField:
    return email_field(label, required="Enter your email address", own=True)


class RegisterForm(FlaskForm):
    email = _email()
    password = _new_password()
    confirm = _confirm_password()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        render_kw={"params": {"autocomplete": "email", "spellcheck": False}},
        validators=[InputRequired("Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "current-password"}},
        validators=[InputRequired("Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


class ForgottenPasswordForm(FlaskForm):
    email = _email()
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = _new_password("Create a new password")
    confirm = _confirm_password()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = _current_password()
    password = _new_password("Create a new password")
    confirm = _confirm_password()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangeEmailForm(FlaskForm):
    email = _email("New email address")
    current_password = _current_password()
    submit = SubmitField("Send confirmation link", widget=GovSubmitInput())


class DeleteAccountForm(FlaskForm):
    current_password = _current_password()
    submit = SubmitField("Delete account", widget=GovSubmitInput())
