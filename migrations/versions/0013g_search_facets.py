"""Inbox search with sparse filters: the feedback search index also holds the item's assignee,
commitment, codes, roles and themes

SQLite: with 0012i the search index
hands a word's matches over newest first, and the inbox joined each match to its item to test
the other filters. A filter that few items pass and that is spread over time (a code, an
assignee) made a common word's every match be read and thrown away: "bus" + a code, 1.3 s a
page at a million items. Now the index has a third column, `facets`, holding one token per
value of those filters an item has:

    xa<assignee id>  xm<commitment id>  xc<code id>  xr<role id>  xt<theme id>

so the filter is part of the search (`... AND facets : xc6`) and FTS5 intersects the two
lists of matches itself, skipping through the longer one.

The index becomes an FTS5 table that keeps its own copy of what it indexes (it was contentless):
a contentless table can only forget a row given the exact values it was indexed with, and an
item's facets change in other tables (its codes, roles, themes) than the one its text is in;
with its own copy, a row is deleted or its facets updated by rowid alone. The user's words are
matched in `body` and `organisation` only (`{body organisation} : (...)`, see
portal/search/fulltext.py), never in `facets`.

Triggers: the three on `feedback` keep their names and now also follow a change of the assignee
or the commitment; three on each link table (feedback_codes, feedback_roles, feedback_themes)
re-write the item's facets when a link is added, removed or changed. Rebuilt from `feedback`
here; the downgrade puts back 0012i's contentless table and triggers and rebuilds those.

PostgreSQL: the same tokens are a tsvector column, `feedback.search_facets` ('simple'
configuration, so kept as written), kept by triggers (a BEFORE trigger on feedback for its
assignee and commitment; statement triggers with transition tables on the link tables, so a merge
of a code on 100,000 items re-writes them in one UPDATE), and a GIN index on
`search_vector || search_facets`: a search with such a filter asks that index for both the words
and the tokens, and the GIN index's fast scan skips through the common word's list using the
rare token's. The plain search keeps its own index (0002).

NOTE for later migrations: a SQLite batch_alter_table on `feedback` or on one of the link tables
drops these triggers; put back what sqlite_master held before the rebuild (as 0011a does).

Revision ID: 0013g
Revises: 0012m
Create Date: 2026-11-30 08:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013g'
down_revision = '0012m'
branch_labels = None
depends_on = None

TOKENIZE = "porter unicode61 remove_diacritics 2"
KEY = "(CAST(strftime('%s', {row}.received_at) AS INTEGER) * 2147483648 + {row}.id)"
LINKS = {"feedback_codes": ("xc", "code_id"), "feedback_roles": ("xr", "role_id"),
         "feedback_themes": ("xt", "theme_id")}
# The facets of the item `{row}` (a feedback row): its assignee, commitment and links.
FACETS = "trim(coalesce(' xa' || {row}.assignee_id, '') || coalesce(' xm' || {row}.commitment_id, '')" + "".join(
    f" || coalesce((SELECT ' ' || group_concat('{prefix}' || {column}, ' ') FROM {link}"
    f" WHERE {link}.feedback_id = {{row}}.id), '')"
    for link, (prefix, column) in LINKS.items()
) + ")"
FEEDBACK_TRIGGERS = ("feedback_fts_ai", "feedback_fts_ad", "feedback_fts_au")
LINK_TRIGGERS = tuple(f"{link}_fts_{when}" for link in LINKS for when in ("ai", "ad", "au"))

FACETED_TABLE = f"""
CREATE VIRTUAL TABLE feedback_fts USING fts5(
    body, organisation, facets, tokenize='{TOKENIZE}'
)
"""


def _refresh(feedback_id: str) -> str:
    """Re-write one item's facets in the index (nothing if the item is gone)."""
    return (
        f"UPDATE feedback_fts SET facets = (SELECT {FACETS.format(row='f')} FROM feedback f"
        f" WHERE f.id = {feedback_id}) WHERE rowid = (SELECT {KEY.format(row='f')}"
        f" FROM feedback f WHERE f.id = {feedback_id});"
    )


FACETED_TRIGGERS = [
    f"""CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
        INSERT INTO feedback_fts(rowid, body, organisation, facets)
        VALUES ({KEY.format(row='new')}, new.body, new.organisation, {FACETS.format(row='new')});
    END""",
    f"""CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
        DELETE FROM feedback_fts WHERE rowid = {KEY.format(row='old')};
    END""",
    f"""CREATE TRIGGER feedback_fts_au AFTER UPDATE OF body, organisation, received_at,
        assignee_id, commitment_id ON feedback BEGIN
        DELETE FROM feedback_fts WHERE rowid = {KEY.format(row='old')};
        INSERT INTO feedback_fts(rowid, body, organisation, facets)
        VALUES ({KEY.format(row='new')}, new.body, new.organisation, {FACETS.format(row='new')});
    END""",
] + [
    statement
    for link in LINKS
    for statement in (
        f"CREATE TRIGGER {link}_fts_ai AFTER INSERT ON {link} BEGIN "
        f"{_refresh('new.feedback_id')} END",
        f"CREATE TRIGGER {link}_fts_ad AFTER DELETE ON {link} BEGIN "
        f"{_refresh('old.feedback_id')} END",
        f"CREATE TRIGGER {link}_fts_au AFTER UPDATE ON {link} BEGIN "
        f"{_refresh('old.feedback_id')} {_refresh('new.feedback_id')} END",
    )
]
FACETED_REBUILD = (
    "INSERT INTO feedback_fts(rowid, body, organisation, facets) "
    f"SELECT {KEY.format(row='feedback')}, body, organisation, {FACETS.format(row='feedback')}"
    " FROM feedback"
)

# 0012i's definitions, for the downgrade.
KEYED_TABLE = f"""
CREATE VIRTUAL TABLE feedback_fts USING fts5(
    body, organisation, content='', tokenize='{TOKENIZE}'
)
"""
KEYED_TRIGGERS = [
    f"""CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
        INSERT INTO feedback_fts(rowid, body, organisation)
        VALUES ({KEY.format(row='new')}, new.body, new.organisation);
    END""",
    f"""CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
        INSERT INTO feedback_fts(feedback_fts, rowid, body, organisation)
        VALUES ('delete', {KEY.format(row='old')}, old.body, old.organisation);
    END""",
    f"""CREATE TRIGGER feedback_fts_au AFTER UPDATE OF body, organisation, received_at
        ON feedback BEGIN
        INSERT INTO feedback_fts(feedback_fts, rowid, body, organisation)
        VALUES ('delete', {KEY.format(row='old')}, old.body, old.organisation);
        INSERT INTO feedback_fts(rowid, body, organisation)
        VALUES ({KEY.format(row='new')}, new.body, new.organisation);
    END""",
]
KEYED_REBUILD = (
    "INSERT INTO feedback_fts(rowid, body, organisation) "
    f"SELECT {KEY.format(row='feedback')}, body, organisation FROM feedback"
)


def _replace(table, triggers, rebuild):
    for name in FEEDBACK_TRIGGERS + LINK_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS feedback_fts")
    op.execute(table)
    for statement in triggers:
        op.execute(statement)
    op.execute(rebuild)


PG_FACETS = """
CREATE FUNCTION feedback_facets(item integer, assignee integer, commitment integer)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('simple', concat_ws(' ', 'xa' || assignee, 'xm' || commitment,
        (SELECT string_agg('xc' || code_id, ' ') FROM feedback_codes WHERE feedback_id = item),
        (SELECT string_agg('xr' || role_id, ' ') FROM feedback_roles WHERE feedback_id = item),
        (SELECT string_agg('xt' || theme_id, ' ') FROM feedback_themes WHERE feedback_id = item)))
$$
"""
PG_ROW_FUNCTION = """
CREATE FUNCTION feedback_facets_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_facets := feedback_facets(NEW.id, NEW.assignee_id, NEW.commitment_id);
    RETURN NEW;
END
$$
"""
PG_LINK_FUNCTION = """
CREATE FUNCTION feedback_facets_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE feedback f SET search_facets = feedback_facets(f.id, f.assignee_id, f.commitment_id)
        WHERE f.id IN (SELECT feedback_id FROM changed_new);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE feedback f SET search_facets = feedback_facets(f.id, f.assignee_id, f.commitment_id)
        WHERE f.id IN (SELECT feedback_id FROM changed_old);
    END IF;
    RETURN NULL;
END
$$
"""
PG_REFERENCING = {
    "ai": ("INSERT", "NEW TABLE AS changed_new"),
    "ad": ("DELETE", "OLD TABLE AS changed_old"),
    "au": ("UPDATE", "OLD TABLE AS changed_old NEW TABLE AS changed_new"),
}


def _postgresql_upgrade():
    op.execute(
        "ALTER TABLE feedback ADD COLUMN search_facets tsvector NOT NULL DEFAULT ''::tsvector"
    )
    for statement in (PG_FACETS, PG_ROW_FUNCTION, PG_LINK_FUNCTION):
        op.execute(statement)
    op.execute(
        "CREATE TRIGGER feedback_facets_biu BEFORE INSERT OR UPDATE OF assignee_id, commitment_id"
        " ON feedback FOR EACH ROW EXECUTE FUNCTION feedback_facets_row()"
    )
    for link in LINKS:
        for when, (event, referencing) in PG_REFERENCING.items():
            op.execute(
                f"CREATE TRIGGER {link}_facets_{when} AFTER {event} ON {link}"
                f" REFERENCING {referencing} FOR EACH STATEMENT"
                " EXECUTE FUNCTION feedback_facets_links()"
            )
    op.execute(
        "UPDATE feedback SET search_facets = feedback_facets(id, assignee_id, commitment_id)"
        " WHERE assignee_id IS NOT NULL OR commitment_id IS NOT NULL"
        " OR id IN (SELECT feedback_id FROM feedback_codes UNION SELECT feedback_id"
        " FROM feedback_roles UNION SELECT feedback_id FROM feedback_themes)"
    )
    op.execute(
        "CREATE INDEX ix_feedback_search_faceted ON feedback"
        " USING gin ((search_vector || search_facets))"
    )


def _postgresql_downgrade():
    op.execute("DROP INDEX IF EXISTS ix_feedback_search_faceted")
    for link in LINKS:
        for when in PG_REFERENCING:
            op.execute(f"DROP TRIGGER IF EXISTS {link}_facets_{when} ON {link}")
    op.execute("DROP TRIGGER IF EXISTS feedback_facets_biu ON feedback")
    for function in ("feedback_facets_links()", "feedback_facets_row()",
                     "feedback_facets(integer, integer, integer)"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("ALTER TABLE feedback DROP COLUMN IF EXISTS search_facets")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_upgrade()
    elif op.get_bind().dialect.name == 'sqlite':
        _replace(FACETED_TABLE, FACETED_TRIGGERS, FACETED_REBUILD)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_downgrade()
    elif op.get_bind().dialect.name == 'sqlite':
        _replace(KEYED_TABLE, KEYED_TRIGGERS, KEYED_REBUILD)
