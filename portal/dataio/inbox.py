"""The one place dataio takes the inbox's filters and query from (triage owns them).

portal/triage/service.py is being split into modules; when it moves, only these lines change.
"""

from __future__ import annotations

from ..triage.service import InboxFilters, apply_filters

__all__ = ["InboxFilters", "apply_filters"]
