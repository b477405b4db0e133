"""Forms: the Annual Review's draft narrative, and publishing it."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField

from ..fields import PortalForm


class DraftForm(PortalForm):
    """The words of a year's review; the figures are computed, never typed. The rules (an
    introduction, the length limit, a change note for a correction) are the service's
    (`service.validate`); the view puts its messages on the fields."""

    introduction = TextAreaField(
        "Introduction",
        description="What the review covers and the scale and type of social value created "
        "(report §6.1). Published as written.",
        widget=GovTextArea(),
    )
    working_well = TextAreaField(
        "What is working well (optional)",
        description="Areas of good practice (report §6.2). The codes most often found in "
        "positive feedback are added from the figures.",
        widget=GovTextArea(),
    )
    to_improve = TextAreaField(
        "Opportunities to improve (optional)",
        description="Where there is scope to do more or different things (report §6.2). The "
        "codes most often found in negative feedback are added from the figures.",
        widget=GovTextArea(),
    )
    change_note = TextAreaField(
        "What this version changes",
        description="Needed when the year's review is already published: the note is shown "
        "with the new version, and earlier versions stay available.",
        widget=GovTextArea(),
    )


class PublishForm(PortalForm):
    """Publishing the saved draft: a button with its CSRF token."""
