"""Listing search: filtered full-text queries over 100,000 listings, on SQLite and PostgreSQL.

The listings (local and received, es/pt/en text built from word lists of small-business goods
and services, cities of Huelva and the Algarve) are written straight into a fresh node database
through the models (``bulk_create``) after ``node.db.migrate()``; the full-text index is then
built by ``search_schema.ensure_search_index``, the statement production runs. The SQLite file
is cached under ``bench/results/`` keyed by ``VERSION`` and the schema files' hash. The queries
go through ``node.services.market.search.search``, the function the API's search calls.

Baseline, same connection, same run: ``SELECT * FROM listing LIMIT 20`` (one page, no filter,
no full-text match); the notes also give the full-text match alone (``search_ids``, no filters).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import random
import shutil
import statistics
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import RESULTS, Context, Row

VERSION = "search-v1"
LISTINGS = 100_000
LOCAL_SHARE = 0.4
ROUNDS = 12  # each query of QUERIES this many times per backend
TARGET_P95_MS = 50.0
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
LOCAL_DOMAIN = "mercado.huelva.example"
REMOTE_DOMAINS = (
    "ruta.lepe.example",
    "ruta.ayamonte.example",
    "mercado.faro.example",
    "ruta.tavira.example",
    "ruta.portimao.example",
    "social.algarve.example",  # a Mastodon-like server
)
PAGE = 20
BASELINE_SQL = "SELECT * FROM listing LIMIT 20"  # one page, no filter, no full-text match

# (city, latitude, longitude)
CITIES = (
    ("Huelva", 37.261, -6.945),
    ("Lepe", 37.255, -7.204),
    ("Ayamonte", 37.213, -7.404),
    ("Isla Cristina", 37.199, -7.317),
    ("Cartaya", 37.283, -7.151),
    ("Punta Umbría", 37.182, -6.966),
    ("Moguer", 37.275, -6.839),
    ("Palos de la Frontera", 37.228, -6.893),
    ("Almonte", 37.264, -6.517),
    ("Aracena", 37.893, -6.561),
    ("Jabugo", 37.917, -6.728),
    ("Valverde del Camino", 37.575, -6.754),
    ("Minas de Riotinto", 37.693, -6.595),
    ("La Palma del Condado", 37.386, -6.552),
    ("Gibraleón", 37.376, -6.971),
    ("Aljaraque", 37.268, -7.024),
    ("Faro", 37.019, -7.930),
    ("Loulé", 37.138, -8.020),
    ("Tavira", 37.127, -7.648),
    ("Olhão", 37.026, -7.841),
    ("Portimão", 37.138, -8.538),
    ("Lagos", 37.102, -8.674),
    ("Albufeira", 37.089, -8.250),
    ("Silves", 37.189, -8.438),
    ("Vila Real de Santo António", 37.195, -7.416),
    ("Castro Marim", 37.218, -7.443),
    ("São Brás de Alportel", 37.152, -7.888),
    ("Monchique", 37.317, -8.555),
)

# category -> (kind, {language: [things]}, price range in euros)
THINGS: dict[str, tuple[str, dict[str, list[str]], tuple[int, int]]] = {
    "food": (
        "product",
        {
            "es": ["café molido", "café en grano", "jamón ibérico de Jabugo", "queso de cabra",
                   "miel de romero", "aceite de oliva virgen extra", "fresas de Moguer",
                   "gambas de Huelva", "vino del Condado", "pan de masa madre", "mojama",
                   "naranjas de temporada", "pastel de almendra", "chorizo ibérico"],
            "pt": ["café torrado", "medronho", "flor de sal de Castro Marim", "queijo de cabra",
                   "mel de alfarroba", "azeite virgem extra", "laranjas do Algarve",
                   "pão caseiro", "doce fino de amêndoa", "figos secos", "conservas de atum",
                   "vinho de Lagoa", "polvo seco"],
            "en": ["ground coffee", "coffee beans", "Iberian ham", "goat cheese", "orange honey",
                   "extra virgin olive oil", "sea salt flakes", "sourdough bread",
                   "almond cake", "dried figs", "craft beer"],
        },
        (2, 120),
    ),
    "crafts": (
        "product",
        {
            "es": ["cerámica pintada a mano", "cesta de esparto", "jarrón de barro",
                   "bolso de cuero", "vela artesanal", "macramé", "azulejo decorado",
                   "talla de madera de pino"],
            "pt": ["azulejo pintado à mão", "cesto de palma", "cerâmica de Porches",
                   "manta de lã", "peça de cortiça", "bordado tradicional", "vela artesanal"],
            "en": ["hand-painted ceramics", "cork wallet", "woven basket", "leather bag",
                   "scented candle", "wooden spoon set"],
        },
        (5, 250),
    ),
    "clothing": (
        "product",
        {
            "es": ["chaqueta vaquera", "vestido de flamenca", "zapatillas de deporte",
                   "abrigo de lana", "camiseta de algodón", "sombrero de paja", "botas camperas"],
            "pt": ["casaco de ganga", "vestido de verão", "sapatilhas", "camisola de lã",
                   "chapéu de palha", "sandálias de couro"],
            "en": ["denim jacket", "summer dress", "running shoes", "wool sweater",
                   "straw hat", "leather sandals"],
        },
        (5, 150),
    ),
    "beauty": (
        "service",
        {
            "es": ["corte de pelo", "manicura", "tinte y mechas", "masaje relajante",
                   "depilación", "maquillaje para bodas", "peluquería a domicilio"],
            "pt": ["corte de cabelo", "manicure", "madeixas", "massagem relaxante",
                   "maquilhagem para casamentos", "cabeleireiro ao domicílio"],
            "en": ["haircut", "manicure", "hair colouring", "relaxing massage",
                   "wedding make-up", "barber at home"],
        },
        (10, 90),
    ),
    "home": (
        "product",
        {
            "es": ["sofá de tres plazas", "mesa de comedor", "lámpara de pie", "macetas de barro",
                   "estantería de madera", "colchón", "cafetera italiana", "plantas de interior"],
            "pt": ["sofá de três lugares", "mesa de jantar", "candeeiro", "vasos de barro",
                   "estante de madeira", "cafeteira", "plantas de interior"],
            "en": ["three-seater sofa", "dining table", "floor lamp", "clay pots",
                   "bookshelf", "coffee maker", "garden chairs"],
        },
        (10, 600),
    ),
    "electronics": (
        "product",
        {
            "es": ["móvil Android", "portátil", "televisor", "auriculares bluetooth",
                   "cámara de fotos", "tableta", "consola de videojuegos"],
            "pt": ["telemóvel", "portátil", "televisão", "auscultadores", "máquina fotográfica",
                   "tablet"],
            "en": ["smartphone", "laptop", "television", "wireless headphones", "camera",
                   "tablet", "game console"],
        },
        (20, 900),
    ),
    "repairs": (
        "service",
        {
            "es": ["fontanero urgente", "electricista", "reparación de móviles",
                   "reparación de bicicletas", "pintura de pisos", "cerrajero", "albañil"],
            "pt": ["canalizador", "eletricista", "reparação de telemóveis",
                   "reparação de bicicletas", "pintor", "serralheiro"],
            "en": ["plumber", "electrician", "phone repair", "bike repair", "house painter",
                   "locksmith", "handyman"],
        },
        (20, 300),
    ),
    "care": (
        "service",
        {
            "es": ["cuidado de mayores", "canguro por horas", "ayuda a domicilio",
                   "paseo de perros", "fisioterapia a domicilio"],
            "pt": ["cuidado de idosos", "babysitter", "apoio domiciliário", "passeio de cães",
                   "fisioterapia ao domicílio"],
            "en": ["elderly care", "babysitting", "home help", "dog walking",
                   "home physiotherapy"],
        },
        (8, 40),
    ),
    "cleaning": (
        "service",
        {
            "es": ["limpieza de casas", "limpieza de oficinas", "limpieza de cristales",
                   "limpieza de apartamentos turísticos"],
            "pt": ["limpeza de casas", "limpeza de escritórios", "limpeza de vidros",
                   "limpeza de alojamento local"],
            "en": ["house cleaning", "office cleaning", "window cleaning",
                   "holiday let cleaning"],
        },
        (10, 120),
    ),
    "tourism": (
        "service",
        {
            "es": ["casa rural", "paseo en barco por la ría", "ruta a caballo por Doñana",
                   "apartamento junto a la playa", "visita guiada", "alquiler de kayak"],
            "pt": ["alojamento local", "passeio de barco na ria Formosa", "visita guiada",
                   "apartamento perto da praia", "aluguer de caiaque", "observação de golfinhos"],
            "en": ["country house", "boat trip", "guided tour", "beach apartment",
                   "kayak rental", "dolphin watching"],
        },
        (15, 400),
    ),
    "transport": (
        "service",
        {
            "es": ["mudanzas", "transporte de muebles", "furgoneta con conductor",
                   "traslado al aeropuerto"],
            "pt": ["mudanças", "transporte de móveis", "carrinha com motorista",
                   "transfer para o aeroporto"],
            "en": ["removals", "furniture transport", "van with driver", "airport transfer"],
        },
        (30, 500),
    ),
    "lessons": (
        "service",
        {
            "es": ["clases de inglés", "clases de guitarra", "clases de matemáticas",
                   "traducción jurada", "clases de surf", "clases de portugués"],
            "pt": ["aulas de inglês", "aulas de guitarra", "explicações de matemática",
                   "tradução certificada", "aulas de surf", "aulas de espanhol"],
            "en": ["English lessons", "guitar lessons", "maths tutoring",
                   "certified translation", "surf lessons", "Spanish lessons"],
        },
        (10, 60),
    ),
    "digital": (
        "service",
        {
            "es": ["diseño de páginas web", "tienda online", "gestión de redes sociales",
                   "fotografía de producto", "diseño de logotipos"],
            "pt": ["criação de sites", "loja online", "gestão de redes sociais",
                   "fotografia de produto", "design de logótipos"],
            "en": ["website design", "online shop set-up", "social media management",
                   "product photography", "logo design"],
        },
        (50, 1500),
    ),
    "agriculture": (
        "product",
        {
            "es": ["plantones de naranjo", "estiércol", "cabras payoyas", "heno", "tractor usado",
                   "huevos de corral", "semillas de tomate"],
            "pt": ["árvores de fruto", "estrume", "cabras", "feno", "trator usado",
                   "ovos caseiros"],
            "en": ["orange saplings", "manure", "goats", "hay bales", "used tractor",
                   "free-range eggs"],
        },
        (3, 8000),
    ),
    "other": (
        "product",
        {
            "es": ["bicicleta de montaña", "libros de segunda mano", "tabla de surf",
                   "caña de pescar", "cochecito de bebé", "juguetes"],
            "pt": ["bicicleta de montanha", "livros usados", "prancha de surf",
                   "cana de pesca", "carrinho de bebé", "brinquedos"],
            "en": ["mountain bike", "second-hand books", "surfboard", "fishing rod",
                   "pushchair", "toys"],
        },
        (2, 400),
    ),
}  # fmt: skip

QUALITY = {
    "es": ["artesano", "de calidad", "ecológico", "casero", "como nuevo", "de temporada",
           "tradicional", "a buen precio", "recién hecho", "de la zona"],
    "pt": ["artesanal", "de qualidade", "biológico", "caseiro", "como novo", "da época",
           "tradicional", "a bom preço", "fresco", "da região"],
    "en": ["handmade", "quality", "organic", "homemade", "like new", "seasonal",
           "traditional", "good value", "fresh", "local"],
}  # fmt: skip
SENTENCES = {
    "es": ["Entrega en {city} y alrededores.", "Pregunta sin compromiso.",
           "Abierto de lunes a sábado.", "Negocio familiar desde hace veinte años.",
           "Se puede recoger en la tienda.", "Envíos a toda la provincia.",
           "Precio por unidad, descuento por cantidad.", "Hablamos español y portugués."],
    "pt": ["Entrega em {city} e arredores.", "Pergunte sem compromisso.",
           "Aberto de segunda a sábado.", "Negócio familiar há vinte anos.",
           "Pode levantar na loja.", "Envios para todo o Algarve.",
           "Preço por unidade, desconto por quantidade.", "Falamos português e espanhol."],
    "en": ["Delivery in {city} and nearby.", "Ask without obligation.",
           "Open Monday to Saturday.", "Family business for twenty years.",
           "Collect from the shop.", "We ship across the region.",
           "Price per unit, discounts for bulk orders.", "We speak English and Spanish."],
}  # fmt: skip

# name, SearchQuery keyword arguments: what a buyer types and picks.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("cafe (accent-insensitive)", {"text": "cafe"}),
    ("jamon + category food", {"text": "jamon", "category": "food"}),
    ("clases ingles + city Huelva", {"text": "clases ingles", "city": "Huelva"}),
    ("bicicleta + price 50-300 €", {"text": "bicicleta", "min_price_cents": 5000,
                                    "max_price_cents": 30000}),
    ("fontanero + purpose offer", {"text": "fontanero", "purpose": "offer"}),
    ("azulejo + city Tavira", {"text": "azulejo", "city": "Tavira"}),
    ("sofa + delivery + price ≤ 400 €", {"text": "sofa", "delivery": "local_delivery",
                                         "max_price_cents": 40000}),
    ("surf + sort price", {"text": "surf", "sort": "price_asc"}),
    ("limpieza + request", {"text": "limpieza", "purpose": "request"}),
    ("mel (prefix) + remote", {"text": "mel", "local": False}),
    ("barco passeio + relevance", {"text": "passeio barco", "sort": "relevance"}),
    ("category tourism + city Lagos", {"category": "tourism", "city": "Lagos"}),
    ("electronics + condition good", {"category": "electronics", "condition": "good"}),
    ("portatil + page 3", {"text": "portatil", "offset": 40}),
]  # fmt: skip


def _hash_of_schema() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(VERSION.encode())
    for part in ("node/migrations/0001_initial.py", "node/services/market/search_schema.py"):
        digest.update((root / part).read_bytes())
    return digest.hexdigest()[:12]


def cached_sqlite() -> Path:
    return RESULTS / f"{VERSION}-{LISTINGS}-{_hash_of_schema()}.sqlite3"


# --- generation ----------------------------------------------------------------------------------


def _settings(database_url: str, data_dir: Path) -> Any:
    from node.config import Settings

    return Settings(domain=LOCAL_DOMAIN, data_dir=data_dir, database_url=database_url)


async def _generate() -> None:
    """Sellers and listings into the open (freshly migrated) database, then the index."""
    from tortoise import connections

    from node.models.actors import Actor, ActorKind
    from node.models.market import Listing
    from node.services.market.fields import hashtag_of
    from node.services.market.search import search_text_of
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
    for n in range(LISTINGS):
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
        listing.search_text = search_text_of(listing)
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


# --- measuring -----------------------------------------------------------------------------------


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def _timed(work: Awaitable[Any], times: list[float]) -> Any:
    """Await ``work`` (a coroutine: it starts running here) and note its time in ms."""
    started = time.perf_counter()
    result = await work
    times.append((time.perf_counter() - started) * 1000)
    return result


async def _measure() -> dict[str, Any]:
    """Run every query ROUNDS times (interleaved with the baseline); latencies in ms."""
    from tortoise import connections

    from node.services.market import search

    conn = connections.get("default")
    found: dict[str, int] = {}
    per_query: dict[str, list[float]] = {name: [] for name, _ in QUERIES}
    ours: list[float] = []
    base: list[float] = []
    ids: list[float] = []  # the same queries, the id query alone (no listings loaded)
    fts: list[float] = []
    baseline_sql = BASELINE_SQL
    # Warm up: the first query of a connection pays for opening it and the page cache.
    for _name, kwargs in QUERIES:
        await search.search(search.SearchQuery(**kwargs))
    await conn.execute_query_dict(baseline_sql)
    for _ in range(ROUNDS):
        for name, kwargs in QUERIES:
            q = search.SearchQuery(**kwargs)
            result = await _timed(search.search(q), ours)
            per_query[name].append(ours[-1])
            found[name] = len(result)
            await _timed(search.search_ids(q), ids)
            await _timed(conn.execute_query_dict(baseline_sql), base)
            if kwargs.get("text"):
                bare = search.SearchQuery(text=kwargs["text"])
                await _timed(search.search_ids(bare), fts)
    return {
        "ours": ours,
        "base": base,
        "ids": ids,
        "fts": fts,
        "per_query": per_query,
        "found": found,
    }


def _slowest(measured: dict[str, Any]) -> str:
    """Which query was slowest (by median), for the notes."""
    per_query: dict[str, list[float]] = measured["per_query"]
    name = max(per_query, key=lambda n: statistics.median(per_query[n]))
    return f"slowest: {name} (p50 {statistics.median(per_query[name]):.1f} ms)"


async def _run_backend(database_url: str, data_dir: Path, generate: bool) -> dict[str, Any]:
    from node import db

    settings = _settings(database_url, data_dir)
    async with db.opened(settings):
        took = 0.0
        if generate:
            started = time.perf_counter()
            await db.migrate()
            await _generate()
            took = time.perf_counter() - started
        else:
            await db.migrate()  # a no-op on the cached file unless the schema changed
        measured = await _measure()
        measured["generation_s"] = took
        measured["slowest"] = _slowest(measured)
        conn = db.connection()
        _, rows = await conn.execute_query("SELECT COUNT(*) FROM listing")
        measured["count"] = int(next(iter(dict(rows[0]).values())))
    return measured


def _rows(backend: str, m: dict[str, Any]) -> list[Row]:
    ours, base = m["ours"], m["base"]
    out: list[Row] = []
    target = f"≤ {TARGET_P95_MS:g} ms" if backend == "sqlite" else ""
    gen = f"generated in {m['generation_s']:.0f} s" if m["generation_s"] else "cached database"
    for label, p in (("p50", 0.5), ("p95", 0.95)):
        value, baseline = _pct(ours, p), _pct(base, p)
        met = value <= TARGET_P95_MS if (backend == "sqlite" and label == "p95") else None
        note = (
            f"{m['count']:,} listings ({gen}); {len(QUERIES)} filtered queries × {ROUNDS} "
            f"through search.search (id query, then the page's listings with seller and shop); "
            f"baseline: unfiltered {BASELINE_SQL}; {label} of the id query "
            f"alone {_pct(m['ids'], p):.1f} ms, of the full-text match alone without filters "
            f"{_pct(m['fts'], p):.1f} ms"
        )
        if label == "p95":
            note += f"; {m['slowest']}"
        out.append(
            Row(
                "search",
                f"{backend} filtered full-text {label}",
                value,
                "ms",
                baseline,
                f"SELECT … LIMIT {PAGE}",
                baseline / value if value > 0 else None,
                target if label == "p95" else "",
                met,
                note,
            )
        )
    return out


def _sqlite(ctx: Context) -> list[Row]:
    cached = cached_sqlite()
    data_dir = ctx.workdir / "search-sqlite"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ruta.sqlite3"
    generate = not cached.exists()
    if not generate:
        shutil.copyfile(cached, path)
    measured = asyncio.run(_run_backend(f"sqlite://{path}", data_dir, generate))
    if generate:
        RESULTS.mkdir(exist_ok=True)
        for old in RESULTS.glob(f"{VERSION}-*.sqlite3"):
            old.unlink()
        shutil.copyfile(path, cached)
    return _rows("sqlite", measured)


def _postgres(ctx: Context) -> list[Row]:
    import asyncpg  # type: ignore[import-untyped]

    name = f"ruta_bench_search_{os.getpid()}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        measured = asyncio.run(_run_backend(url, ctx.workdir / "search-pg", True))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return _rows("postgres", measured)


def run(ctx: Context) -> list[Row]:
    rows = _sqlite(ctx)
    try:
        rows += _postgres(ctx)
    except OSError as exc:  # no PostgreSQL on this machine: say so, invent nothing
        rows.append(Row("search", "postgres filtered full-text", None, "", note=f"skipped: {exc}"))
    return rows
