"""Forms for the staff import: the upload, and the column mapping (one select per column)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSelect
from wtforms import HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired

from ..fields import PortalForm
from ..models import Channel
from .service import FIELDS

IMPORT_CHANNELS = [
    (Channel.IN_PERSON.value, "In person (for example at a workshop or business briefing)"),
    (Channel.EMAIL.value, "Email"),
    (Channel.PHONE.value, "Phone"),
]
FIELD_CHOICES = [("", "Do not import")] + [(key, label) for key, label, _ in FIELDS]


class UploadForm(PortalForm):
    """Choose the file, and how the feedback in it reached us."""

    file = FileField(
        "Upload a file",
        description="A CSV (saved as CSV UTF-8) or an XLSX workbook, smaller than 5 MB, "
        "with the column names in its first row",
        widget=GovFileInput(),
        validators=[FileRequired(message="Select a CSV or XLSX file")],
    )
    channel = RadioField(
        "How did this feedback reach us?",
        description="For rows with no channel of their own",
        choices=IMPORT_CHANNELS,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how the feedback reached us")],
    )


class ImportStepForm(PortalForm):
    """Which step a POST to /triage/import is: the mapping form carries the upload's handle
    (`upload`), the upload form does not."""

    class Meta:
        csrf = False  # checked for every POST by CSRFProtect already

    upload = HiddenField()

    def is_mapping(self) -> bool:
        return bool(self.upload.raw_data)


class MappingForm(PortalForm):
    """The upload's handle, the default channel, and (added per file) one select per column;
    `action` is the button pressed ("check" the rows again, or "import" them)."""

    upload = HiddenField()
    action = HiddenField()  # sent by the buttons (name="action"), never rendered as an input
    channel = SelectField(
        "For rows with no channel, how did the feedback reach us?",
        choices=IMPORT_CHANNELS,
        widget=GovSelect(),
        validators=[InputRequired(message="Select how the feedback reached us")],
    )

    def importing(self) -> bool:
        return self.action.data == "import"

    def column_fields(self):
        """Return the column selects in file order."""
        return [f for name, f in self._fields.items() if name.startswith("column_")]

    def mapping(self) -> dict[int, str]:
        """Return {column index: field} for the columns mapped to a field."""
        return {int(f.name.removeprefix("column_")): f.data for f in self.column_fields() if f.data}


def mapping_form(header: list[str], **kwargs) -> MappingForm:
    """Return a MappingForm with a select for each column of this file."""

    class FileMappingForm(MappingForm):
        pass

    for index, title in enumerate(header):
        setattr(
            FileMappingForm,
            f"column_{index}",
            SelectField(
                f"Column {index + 1}: {title}" if title else f"Column {index + 1}",
                choices=FIELD_CHOICES,
                widget=GovSelect(),
                default="",
            ),
        )
    return FileMappingForm(**kwargs)
