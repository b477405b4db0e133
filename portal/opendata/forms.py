"""Forms: publishing an open-data build."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length


class PublishForm(FlaskForm):
    filename = HiddenField(
        validators=[InputRequired(message="Choose a build to publish"), Length(max=200)]
    )
