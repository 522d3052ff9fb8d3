"""Forms for registering and signing in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from .fields import email_field

MIN_PASSWORD = 10


class RegisterForm(FlaskForm):
    email = email_field("Email address", required="Enter your email address")
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description=f"Must be at least {MIN_PASSWORD} characters. A few unrelated words work well.",
        validators=[
            InputRequired("Enter a password"),
            Length(
                min=MIN_PASSWORD,
                max=128,
                message=f"Password must be between {MIN_PASSWORD} and 128 characters",
            ),
        ],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", "Passwords do not match"),
        ],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address")],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password")]
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())
