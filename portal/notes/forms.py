"""The note form, and the reviewer's return and pin forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from ..fields import PortalForm
from ..inputs import parse_id, parse_ids
from ..periods import uk_date
from .service import NoteInput


class IdsField(SelectMultipleField):
    """Ticked identifiers (checkboxes sharing one name); anything not an identifier is dropped,
    and the service keeps only the ones that exist."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = parse_ids(valuelist)


class NoteForm(PortalForm):
    """What a Social Value Champion writes; `service.validate` holds the rules, and the view
    puts its messages on these fields."""

    title = StringField("Title", widget=GovTextInput())
    summary = TextAreaField(
        "Summary", description="One or two sentences: what worked.", widget=GovTextArea()
    )
    body = TextAreaField(
        "The note",
        description=(
            "Markdown: ## headings, - lists, **bold**, *emphasis*, [links](https://…) and "
            "| tables |."
        ),
        widget=GovTextArea(),
    )
    commitment_ids = IdsField("Commitments it relates to")
    role_ids = IdsField("Roles")
    theme_ids = IdsField("Themes")
    evidence_links = TextAreaField(
        "Evidence links (optional)",
        description="One web address per line, starting https://",
        widget=GovTextArea(),
    )
    cost = TextAreaField("What it cost (optional)", widget=GovTextArea())
    achieved = TextAreaField("What it achieved (optional)", widget=GovTextArea())

    def to_input(self) -> NoteInput:
        return NoteInput(
            title=self.title.data or "",
            summary=self.summary.data or "",
            body=self.body.data or "",
            commitment_ids=list(self.commitment_ids.data or []),
            role_ids=list(self.role_ids.data or []),
            theme_ids=list(self.theme_ids.data or []),
            evidence_links=[
                x.strip() for x in (self.evidence_links.data or "").splitlines() if x.strip()
            ],
            cost=self.cost.data or "",
            achieved=self.achieved.data or "",
        )

    def fill(self, data: NoteInput) -> None:
        """Show a note's working copy in the form."""
        for name in ("title", "summary", "body", "cost", "achieved"):
            self[name].data = getattr(data, name)
        for name in ("commitment_ids", "role_ids", "theme_ids"):
            self[name].data = list(getattr(data, name))
        self.evidence_links.data = "\n".join(data.evidence_links)

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self[name].errors = [*self[name].errors, message]


class ReturnForm(PortalForm):
    """A reviewer's comment for the author (the service says when it is missing)."""

    comment = TextAreaField("Comment for the author", widget=GovTextArea())


class PinForm(PortalForm):
    """The meeting to pin a published note into (`for_meetings`: the choices, newest first)."""

    meeting_id = SelectField(
        "Pin into the agenda of",
        validate_choice=False,  # an unknown meeting is refused by the view, with its message
        # The choices' values are ids already: an id is kept as it is (parse_id reads only text,
        # and None for every choice would match the empty data and mark every option selected).
        coerce=lambda v: v if isinstance(v, int) else parse_id(v),
        widget=GovSelect(),
    )

    @classmethod
    def for_meetings(cls, meetings) -> PinForm:
        form = cls(formdata=None)
        form.meeting_id.choices = [
            (meeting.id, f"{meeting.title} ({uk_date(meeting.meeting_date)})")
            for meeting in meetings
        ]
        return form


class LibraryFilterForm(PortalForm):
    """The public library's search box and filters (a GET form: read from the query)."""

    class Meta:
        csrf = False

    q = StringField("Search", widget=GovTextInput())
    commitment = SelectField("Commitment", choices=[], validate_choice=False, widget=GovSelect())
    role = SelectField("Role", choices=[], validate_choice=False, widget=GovSelect())
    theme = SelectField("Theme", choices=[], validate_choice=False, widget=GovSelect())

    @classmethod
    def for_lists(cls, args, commitments, roles, themes) -> LibraryFilterForm:
        """The form read from the query, offering the framework's lists ("Any" first)."""
        form = cls(formdata=args)
        form.commitment.choices = [("", "Any")] + [(c.slug, c.title) for c in commitments]
        form.role.choices = [("", "Any")] + [(r.slug, r.name) for r in roles]
        form.theme.choices = [("", "Any")] + [(t.slug, t.name) for t in themes]
        return form
