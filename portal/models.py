"""Every model of the portal, by the feature that owns it.

Each feature keeps its models in its own `portal/<feature>/models.py`; the types several features
share (the UTC clock, enum columns, the stakeholder type) are in `portal/core/types.py`. This index
imports them all, so that Alembic sees the whole schema and `from portal.models import X` works
anywhere. A new feature's models module is added here too.
"""

from __future__ import annotations

from .admin.models import AuditEntry
from .annualreview.models import AnnualReview, ReviewStatus
from .auth.models import STAFF_ROLE_LABELS, LoginThrottle, StaffRole, User, officer_commitments
from .core.types import STAKEHOLDER_LABELS, StakeholderType, _enum, enum_column, utcnow
from .dataio.models import BatchStatus, ImportBatch
from .framework_admin.models import (
    EXAMPLE_LABEL,
    Commitment,
    FrameworkVersion,
    Horizon,
    Role,
    Theme,
    commitment_roles,
    commitment_themes,
)
from .meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    AgendaQuote,
    Attendance,
    Decision,
    Meeting,
    MeetingMember,
    MeetingNote,
    action_feedback,
)
from .notes.models import (
    Note,
    NoteEndorsement,
    NoteStatus,
    NoteVersion,
    note_commitments,
    note_roles,
    note_themes,
)
from .opendata.models import OpenDataRelease
from .outbox.models import (
    CommitmentFollow,
    Frequency,
    MessageStatus,
    OutboxMessage,
    StaffEmailPreference,
)
from .privacy.models import EqualityResponse, EqualityToken
from .progress.models import ProgressStatus, ProgressUpdate
from .public.models import (
    PUBLIC_STATUS_LABELS,
    TRANSPORT_MODE_LABELS,
    Channel,
    ContactDetails,
    Feedback,
    FeedbackStatus,
    Locality,
    Priority,
    Sentiment,
    TransportMode,
    feedback_roles,
    feedback_themes,
)
from .ratelimits.models import RateLimitCounter
from .sitefeedback.models import BODY_MAX, WebsiteFeedback
from .surveys.models import Survey, SurveyResponse, SurveyVersion
from .tagging.models import SuggestionDecision, TaggingModel, TaggingSettings
from .triage.models import Code, FeedbackStatusCount, InternalNote, feedback_codes

__all__ = [
    "AnnualReview",
    "BODY_MAX",
    "EXAMPLE_LABEL",
    "PUBLIC_STATUS_LABELS",
    "STAFF_ROLE_LABELS",
    "STAKEHOLDER_LABELS",
    "TRANSPORT_MODE_LABELS",
    "Action",
    "BatchStatus",
    "ActionStatus",
    "AgendaItem",
    "AgendaItemKind",
    "AgendaQuote",
    "Attendance",
    "AuditEntry",
    "Channel",
    "Code",
    "Commitment",
    "CommitmentFollow",
    "ContactDetails",
    "Decision",
    "EqualityResponse",
    "EqualityToken",
    "Feedback",
    "FeedbackStatus",
    "FeedbackStatusCount",
    "FrameworkVersion",
    "Frequency",
    "Horizon",
    "ImportBatch",
    "InternalNote",
    "Locality",
    "LoginThrottle",
    "Meeting",
    "MeetingMember",
    "MeetingNote",
    "MessageStatus",
    "Note",
    "OpenDataRelease",
    "NoteEndorsement",
    "NoteStatus",
    "NoteVersion",
    "OutboxMessage",
    "Priority",
    "ProgressStatus",
    "ProgressUpdate",
    "RateLimitCounter",
    "ReviewStatus",
    "Role",
    "Sentiment",
    "StaffEmailPreference",
    "StaffRole",
    "StakeholderType",
    "Survey",
    "SurveyResponse",
    "SuggestionDecision",
    "SurveyVersion",
    "TaggingModel",
    "TaggingSettings",
    "Theme",
    "TransportMode",
    "User",
    "WebsiteFeedback",
    "_enum",
    "action_feedback",
    "commitment_roles",
    "commitment_themes",
    "enum_column",
    "feedback_codes",
    "feedback_roles",
    "feedback_themes",
    "note_commitments",
    "note_roles",
    "note_themes",
    "officer_commitments",
    "utcnow",
]
