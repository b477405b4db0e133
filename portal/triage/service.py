"""Triage rules, by section: `inbox` (filters, pages, counts), `items` (one item's tags,
workflow, notes, replies), `bulk` (actions on selected rows), `codeframe` (codes, used by the
admin area too) and `workflow` (statuses, allowed moves, `TriageError`). Similarity lives in the
shared `portal.search`.

This module only re-exports their public names, so code written as `triage.service.X` keeps
working; new code imports the section module it needs.
"""

from __future__ import annotations

from .. import audit
from ..search.similarity import SimilarItem, similar_items, similarity
from .bulk import BulkResult, bulk_add_code, bulk_assign, bulk_status, items_by_ids
from .codeframe import (
    CODE_NAME_MAX,
    active_codes,
    create_code,
    merge_codes,
    rename_code,
    set_code_retired,
)
from .inbox import (
    COUNT_CAP,
    PAGE_SIZE,
    InboxFilters,
    InboxPage,
    InboxRow,
    StatusCounts,
    apply_filters,
    decode_cursor,
    encode_cursor,
    inbox_page,
    inbox_query,
    neighbours,
    status_counts,
)
from .items import (
    add_note,
    assign,
    change_status,
    get_item,
    set_assessment,
    set_public_reply,
    set_quote_approval,
    set_tags,
    set_transport_mode,
    staff_members,
)
from .workflow import FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, TriageError, can_transition

__all__ = [
    "CODE_NAME_MAX",
    "COUNT_CAP",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "PAGE_SIZE",
    "TRANSITIONS",
    "BulkResult",
    "InboxFilters",
    "InboxPage",
    "InboxRow",
    "SimilarItem",
    "StatusCounts",
    "TriageError",
    "active_codes",
    "add_note",
    "apply_filters",
    "assign",
    "audit",
    "bulk_add_code",
    "bulk_assign",
    "bulk_status",
    "can_transition",
    "change_status",
    "create_code",
    "decode_cursor",
    "encode_cursor",
    "get_item",
    "inbox_page",
    "inbox_query",
    "items_by_ids",
    "merge_codes",
    "neighbours",
    "rename_code",
    "set_assessment",
    "set_code_retired",
    "set_public_reply",
    "set_quote_approval",
    "set_tags",
    "set_transport_mode",
    "similar_items",
    "similarity",
    "staff_members",
    "status_counts",
]
