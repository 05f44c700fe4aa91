"""The search benchmark's data: sellers (local and on other servers) and listings drawn from
``bench.search_words`` with a fixed seed, written straight into a freshly migrated node database
through the models (``bulk_create``); the full-text index is then built by
``search_schema.ensure_search_index``, the statements production runs. The SQLite file of the
full size is cached under ``bench/results/``, keyed by ``VERSION`` and the schema files' hash."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import RESULTS
from bench.search_words import CITIES, LOCAL_DOMAIN, QUALITY, REMOTE_DOMAINS, SENTENCES, THINGS

VERSION = "search-v2"  # v2: stems in search_text, city_key
LISTINGS = 100_000
LOCAL_SHARE = 0.4


def _hash_of_schema() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(VERSION.encode())
    # Every migration: a cached file records the ones applied and would never get a changed one.
    parts = sorted((root / "node/migrations").glob("0*.py"))
    for part in [*parts, root / "node/services/market/search_schema.py"]:
        digest.update(part.read_bytes())
    return digest.hexdigest()[:12]


def cached_sqlite() -> Path:
    return RESULTS / f"{VERSION}-{LISTINGS}-{_hash_of_schema()}.sqlite3"


async def generate(listings: int = LISTINGS) -> None:
    """Sellers and ``listings`` listings into the open (freshly migrated) database, then the
    full-text index."""
    from tortoise import connections

    from node.models.actors import Actor, ActorKind
    from node.models.market import Listing
    from node.services.market.fields import hashtag_of
    from node.services.market.search import index_listing
    from node.services.market.search_schema import ensure_search_index
    from node.services.market.taxonomy import BY_SLUG

    rng = random.Random(5)
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    # Load first, index after: the production statements of ensure_search_index build it then
    # (the path a database whose listings predate the index takes).
    if postgres:
        # (the generated search_vector column stays: it is computed per insert, as in use)
        await conn.execute_script("DROP INDEX IF EXISTS listing_search_vector_idx")
    else:
        await conn.execute_script(
            "DROP TRIGGER IF EXISTS listing_fts_insert; DROP TRIGGER IF EXISTS listing_fts_update;"
            " DROP TRIGGER IF EXISTS listing_fts_delete; DROP TABLE IF EXISTS listing_fts;"
        )

    sellers: list[Actor] = []
    for i in range(300):
        name = f"tienda{i}"
        sellers.append(
            Actor(
                uri=f"https://{LOCAL_DOMAIN}/users/{name}",
                kind=ActorKind.ORGANIZATION,
                username=name,
                domain=LOCAL_DOMAIN,
                local=True,
                local_username=name,
                inbox_url=f"https://{LOCAL_DOMAIN}/users/{name}/inbox",
            )
        )
    for i in range(1200):
        domain = REMOTE_DOMAINS[i % len(REMOTE_DOMAINS)]
        name = f"loja{i}"
        sellers.append(
            Actor(
                uri=f"https://{domain}/users/{name}",
                kind=ActorKind.ORGANIZATION if i % 3 else ActorKind.PERSON,
                username=name,
                domain=domain,
                local=False,
                inbox_url=f"https://{domain}/users/{name}/inbox",
                gone_at=datetime.now(UTC) if i % 200 == 7 else None,
            )
        )
    await Actor.bulk_create(sellers, batch_size=500)
    local_sellers = [s for s in sellers if s.local]
    remote_sellers = [s for s in sellers if not s.local]

    now = datetime.now(UTC)
    slugs = list(THINGS)
    weights = [3 if s in ("food", "home", "other", "repairs") else 1 for s in slugs]
    batch: list[Listing] = []
    for n in range(listings):
        local = rng.random() < LOCAL_SHARE
        seller = rng.choice(local_sellers if local else remote_sellers)
        lang = rng.choices(("es", "pt", "en"), (5, 3, 2))[0]
        slug = rng.choices(slugs, weights)[0]
        kind, things, (low, high) = THINGS[slug]
        thing = rng.choice(things[lang])
        quality = rng.choice(QUALITY[lang])
        city, lat, lon = rng.choice(CITIES)
        purpose = "request" if rng.random() < 0.15 else "offer"
        title = f"{thing[:1].upper()}{thing[1:]} {quality}"
        if purpose == "request":
            title = {"es": "Busco ", "pt": "Procuro ", "en": "Wanted: "}[lang] + thing
        sentences = rng.sample(SENTENCES[lang], 3)
        body = " ".join(s.format(city=city) for s in sentences)
        other = rng.choice(things[lang])
        description = f"{title}. {other[:1].upper()}{other[1:]} {quality}. {body}"
        price_kind = rng.choices(("fixed", "negotiable", "free", "on_request"), (80, 10, 4, 6))[0]
        price = None
        if price_kind in ("fixed", "negotiable"):
            price = int(math_exp_between(rng, low, high) * 100)
        elif price_kind == "free":
            price = 0
        state = rng.choices(("published", "reserved", "sold", "closed", "draft"), (85, 4, 6, 3, 2))[
            0
        ]
        if state == "draft" and not local:
            state = "published"
        delivery = [
            d
            for d, p in (("pickup", 0.7), ("local_delivery", 0.4), ("shipping", 0.3))
            if rng.random() < p
        ] or ["pickup"]
        ident = f"{seller.uri}/listings/{n}"
        listing = Listing(
            uri=ident,
            url=ident,
            local=local,
            seller_id=seller.id,
            kind=kind,
            purpose=purpose,
            title=title,
            description_source=description if local else None,
            description_html=f"<p>{description}</p>",
            language=lang,
            price_cents=price,
            price_kind=price_kind,
            quantity=rng.randint(1, 20) if kind == "product" else None,
            condition=rng.choice(("new", "like_new", "good", "fair", "for_parts"))
            if kind == "product"
            else None,
            category=slug,
            city=city,
            latitude=lat + rng.uniform(-0.03, 0.03),
            longitude=lon + rng.uniform(-0.03, 0.03),
            delivery=delivery,
            state=state,
            tags=[BY_SLUG[slug].hashtag, hashtag_of(city)],
            published=now - timedelta(seconds=rng.randint(0, 365 * 86400)),
        )
        index_listing(listing)
        batch.append(listing)
        if len(batch) == 5000:
            await Listing.bulk_create(batch, batch_size=1000)
            batch = []
    if batch:
        await Listing.bulk_create(batch, batch_size=1000)
    await ensure_search_index(conn)
    if postgres:
        await conn.execute_script("ANALYZE")  # what autovacuum does after a load like this


def math_exp_between(rng: random.Random, low: float, high: float) -> float:
    """A price between low and high, log-uniform (many cheap things, few dear ones)."""
    return round(math.exp(rng.uniform(math.log(low), math.log(high))), 2)
