"""Who a local note reaches and how its text links them: ``@mentions`` resolved to actors
(unknown names and blocked people stay plain text, as on Mastodon), explicit addressees, the
rendered HTML with mention and hashtag links, and the ``tag`` list (``Mention``, ``Hashtag``).

Resolving may cost a WebFinger and an actor fetch per name: callers do it before their
transaction opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from node.errors import NotFound, RutaError, ValidationFailed
from node.models.actors import Actor
from node.ports import ActorResolver
from node.services import text
from node.services.visibility import blocked_either_way
from node.urls import Urls

# Each mention may cost a WebFinger and an actor fetch; Mastodon-sized posts rarely need more.
MAX_MENTIONS = 20
MAX_ADDRESSEES = 50


async def _resolve(resolver: ActorResolver | None, reference: str) -> Actor:
    if resolver is not None:
        return await resolver.resolve(reference)
    user, _, host = reference.lstrip("@").partition("@")
    actor = await Actor.filter(username__iexact=user, domain=host.lower()).first()
    if actor is None:
        raise NotFound(f"Nobody answers to {reference}.")
    return actor


async def resolve_mentions(
    resolver: ActorResolver | None, author: Actor, source: str
) -> dict[text.Mention, Actor]:
    """Mentions that name someone → their actors. Unknown names (and people the author blocks
    or is blocked by) stay plain text, as on Mastodon."""
    mentions = text.extract_mentions(source)
    if len(mentions) > MAX_MENTIONS:
        raise ValidationFailed.on("content", f"A note can mention at most {MAX_MENTIONS} accounts.")
    found: dict[text.Mention, Actor] = {}
    for user, host in mentions:
        try:
            actor = await _resolve(resolver, f"@{user}@{host or author.domain}")
        except RutaError:
            continue
        if actor.id != author.id and not await blocked_either_way(author, actor.id):
            found[(user, host)] = actor
    return found


async def resolve_addressees(
    resolver: ActorResolver | None, author: Actor, to: Sequence[Actor | str]
) -> dict[int, Actor]:
    if len(to) > MAX_ADDRESSEES:
        raise ValidationFailed.on("to", f"A note can be addressed to at most {MAX_ADDRESSEES}.")
    found: dict[int, Actor] = {}
    for entry in to:
        if isinstance(entry, Actor):
            actor = entry
        else:
            try:
                actor = await _resolve(resolver, entry.strip())
            except RutaError as exc:
                raise ValidationFailed.on("to", f"{entry}: {exc.message}") from None
        if await blocked_either_way(author, actor.id):
            raise ValidationFailed.on("to", f"You cannot address {actor.handle}.")
        if actor.id != author.id:
            found[actor.id] = actor
    return found


def render_html(source: str, mentioned: dict[text.Mention, Actor], urls: Urls) -> str:
    links = {key: actor.url or actor.uri for key, actor in mentioned.items()}
    return text.render_markdown(source, mention_links=links, tag_url=urls.tag)


def note_tags(source: str, addressees: Any, urls: Urls) -> list[dict[str, str]]:
    """``Mention`` for every addressee (Mastodon needs one per DM recipient) and ``Hashtag``s."""
    tags = [{"type": "Mention", "name": f"@{a.handle}", "href": a.uri} for a in addressees]
    tags += [
        {"type": "Hashtag", "name": f"#{name}", "href": urls.tag(name)}
        for name in text.extract_hashtags(source)
    ]
    return tags
