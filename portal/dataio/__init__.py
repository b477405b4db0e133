"""Staff export of the filtered inbox (CSV, XLSX) and import of feedback gathered offline."""
