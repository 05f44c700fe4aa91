"""The full-text index of listings, created after the migrations (``node.db.migrate``).

Tortoise's migrations describe tables of models, not FTS5 virtual tables or expression
indexes, and regenerating the initial migration would drop hand-written SQL; so the index is
created here, idempotently, each time migrations run.

Both backends index ``listing.search_text``, which the domain fills with words already folded
to lower case without accents, and their stems (``stemming``): accent-insensitive, stemmed
search then needs neither PostgreSQL's ``unaccent`` extension (not always installable) nor its
language configurations (a listing's language is per row), nor a special SQLite tokenizer.
When what the domain puts there changes (``stemming.INDEX_VERSION``), every listing, local and
received, is re-indexed once here, and the version reached is kept in ``search_index_version``.

- SQLite: an FTS5 table ``listing_fts`` whose rowid is the listing id, kept in step by
  triggers, so every write path (ORM, raw SQL, restore from backup) is indexed.
- PostgreSQL: a stored generated column ``search_vector`` =
  ``to_tsvector('simple', search_text)`` ('simple': the stems are already in the text) with a
  GIN index. The model does not declare it: the database fills it.
"""

from __future__ import annotations

import logging

from tortoise.backends.base.client import BaseDBAsyncClient

from node.models.market import Listing
from node.services.market.search import index_listing
from node.services.market.stemming import INDEX_VERSION

log = logging.getLogger(__name__)
REINDEX_BATCH = 1000

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
    it existed are indexed then), and re-index every listing if the index is of an older
    version."""
    if conn.capabilities.dialect == "postgres":
        for statement in _POSTGRES:
            await conn.execute_script(statement)
    else:
        await _ensure_sqlite(conn)
    await reindex_if_outdated(conn)


async def _ensure_sqlite(conn: BaseDBAsyncClient) -> None:
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


async def reindex_if_outdated(conn: BaseDBAsyncClient) -> int:
    """Re-fill ``search_text`` and ``city_key`` of every listing (local and received) if the
    database was indexed by an older ``INDEX_VERSION``; returns how many were re-indexed.

    Runs under the migration lock (``node.db.migrate``), so concurrent starts do it once; an
    interrupted run leaves the old version recorded and is simply done again."""
    await conn.execute_script(
        "CREATE TABLE IF NOT EXISTS search_index_version (version INTEGER NOT NULL)"
    )
    rows = await conn.execute_query_dict("SELECT MAX(version) AS version FROM search_index_version")
    current = rows[0]["version"] if rows else None
    if current is not None and int(current) >= INDEX_VERSION:
        return 0
    done = await reindex_listings(conn)
    await conn.execute_script("DELETE FROM search_index_version")
    await conn.execute_script(
        f"INSERT INTO search_index_version (version) VALUES ({int(INDEX_VERSION)})"  # noqa: S608
    )
    if done:
        log.info("re-indexed %d listings for search (index version %d)", done, INDEX_VERSION)
    return done


async def reindex_listings(conn: BaseDBAsyncClient) -> int:
    """Recompute what search reads of every listing, in batches by id. Plain UPDATEs: a
    re-index is no edit, so ``updated_at`` stays as it was."""
    postgres = conn.capabilities.dialect == "postgres"
    update = (
        "UPDATE listing SET search_text = $1, city_key = $2 WHERE id = $3"
        if postgres
        else "UPDATE listing SET search_text = ?, city_key = ? WHERE id = ?"
    )
    last, done = 0, 0
    while True:
        batch = (
            await Listing.filter(id__gt=last)
            .order_by("id")
            .limit(REINDEX_BATCH)
            .only("id", "title", "description_html", "category", "city", "tags", "language")
        )
        if not batch:
            return done
        values: list[list[object]] = []
        for listing in batch:
            index_listing(listing)
            values.append([listing.search_text, listing.city_key, listing.id])
        await conn.execute_many(update, values)
        last, done = batch[-1].id, done + len(batch)
