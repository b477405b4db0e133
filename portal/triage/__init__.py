"""The Implementation Group's triage workspace: inbox, item, bulk actions, search."""
