"""Forms: publishing an open-data build."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import InputRequired, Length

from ..fields import PortalForm


class PublishForm(PortalForm):
    filename = HiddenField(
        validators=[InputRequired(message="Choose a build to publish"), Length(max=200)]
    )
