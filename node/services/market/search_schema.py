"""The full-text index of listings, created after the migrations (``node.db.migrate``).

Tortoise's migrations describe tables of models, not FTS5 virtual tables or expression
indexes, and regenerating the initial migration would drop hand-written SQL; so the index is
created here, idempotently, each time migrations run.

Both backends index ``listing.search_text``, which the domain fills with text already folded to
lower case without accents (``search.fold``): accent-insensitive search then needs neither
PostgreSQL's ``unaccent`` extension (not always installable) nor a special SQLite tokenizer.

- SQLite: an FTS5 table ``listing_fts`` whose rowid is the listing id, kept in step by
  triggers, so every write path (ORM, raw SQL, restore from backup) is indexed.
- PostgreSQL: a stored generated column ``search_vector`` =
  ``to_tsvector('simple', search_text)`` ('simple': no stemming, as listings come in five
  languages) with a GIN index. The model does not declare it: the database fills it.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

_SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS listing_fts USING fts5(search_text, tokenize='unicode61')",
    """CREATE TRIGGER IF NOT EXISTS listing_fts_insert AFTER INSERT ON listing BEGIN
         INSERT INTO listing_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS listing_fts_update AFTER UPDATE OF search_text ON listing
       BEGIN
         DELETE FROM listing_fts WHERE rowid = old.id;
         INSERT INTO listing_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS listing_fts_delete AFTER DELETE ON listing BEGIN
         DELETE FROM listing_fts WHERE rowid = old.id;
       END""",
]

_POSTGRES = [
    # Stored, not an expression index: with an expression index the planner often walks
    # ``published`` newest-first and re-runs to_tsvector on every row it passes (100 ms for a
    # term found in 1 % of 100,000 listings; bench ``search``); a stored vector makes that
    # filter a cheap comparison. Adding it to a filled table rewrites the table once.
    "ALTER TABLE listing ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS listing_search_vector_idx ON listing USING GIN (search_vector)",
    "DROP INDEX IF EXISTS listing_search_idx",  # the expression index of earlier versions
]


async def ensure_search_index(conn: BaseDBAsyncClient) -> None:
    """Create the index of the connection's backend if it is missing (listings written before
    it existed are indexed then)."""
    if conn.capabilities.dialect == "postgres":
        for statement in _POSTGRES:
            await conn.execute_script(statement)
        return
    _, rows = await conn.execute_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'listing_fts'"
    )
    existed = bool(rows)
    for statement in _SQLITE:
        await conn.execute_script(statement)
    if not existed:
        await conn.execute_script(
            "INSERT INTO listing_fts(rowid, search_text) SELECT id, search_text FROM listing"
        )
