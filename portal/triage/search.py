"""Moved to `portal.search` (shared by triage, notes, meetings and "You said, we did"); this name
is kept so that code written against `portal.triage.search` still works."""

from ..search import *  # noqa: F403
from ..search import __all__  # noqa: F401
