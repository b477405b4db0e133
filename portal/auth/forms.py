"""Sign-in form, and the page a form was on when its POST needs signing in first."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from ..fields import PortalForm


class LoginForm(PortalForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=1000)],
    )
    next = HiddenField()


class ReturnToForm(PortalForm):
    """The page a posted form was on (`return_to`, carried by the staff pages' forms): where to
    come back to after signing in, when the session ended before the POST."""

    class Meta:
        csrf = False  # read before any view: only a place to go back to, checked as safe

    return_to = HiddenField()
