"""Profiles: finding a local or remote actor by its handle, what its page shows, and a person
editing their own (name, bio in markdown, profile fields, avatar and header picture).

A profile change reaches other servers as ``Update{Person}`` (the publisher, in the transaction
of the change).
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from node.errors import NotFound, ValidationFailed
from node.models.accounts import Account, Role
from node.models.actors import Actor, ActorKind
from node.models.social import Follow, FollowState, Note
from node.ports import Publisher
from node.services import text
from node.services.accounts.accounts import person_actor, validate_display_name
from node.services.images import ImagePurpose, remove_image, store_image
from node.services.visibility import not_a_message, visible_to
from node.urls import Urls

MAX_BIO_CHARS = 1000
MAX_FIELDS = 4
MAX_FIELD_NAME = 100
MAX_FIELD_VALUE = 255
# The roles that show as a badge on a profile (members have none; admins show as staff).
BADGES = {
    Role.MENTOR: "mentor",
    Role.PROVIDER: "provider",
    Role.STAFF: "staff",
    Role.ADMIN: "staff",
}


@dataclass(frozen=True)
class Relationship:
    """Between the viewer and a profile's actor."""

    following: bool = False  # the viewer follows it (accepted)
    requested: bool = False  # the viewer asked, waiting for approval
    followed_by: bool = False  # it follows the viewer


@dataclass(frozen=True)
class Profile:
    actor: Actor
    badge: str | None
    followers: int
    following: int
    notes: int
    relationship: Relationship
    is_self: bool
    is_own: bool = False  # the viewer's own profile or one of their shops: nothing to report


def split_handle(handle: str, local_domain: str) -> tuple[str, str | None]:
    """``ana`` / ``@ana`` / ``ana@this.node`` → ``("ana", None)`` (local);
    ``joao@faro.example`` → ``("joao", "faro.example")``."""
    user, _, host = handle.strip().lstrip("@").partition("@")
    host = host.lower().rstrip(".")
    if not user or (host and host == local_domain.lower()):
        return user, None
    return user, host or None


async def find_actor(handle: str, local_domain: str) -> Actor:
    """The actor a profile URL names: a local one by username, a remote one we already know by
    ``user@host``. Gone and suspended actors are not found."""
    user, host = split_handle(handle, local_domain)
    if not user or len(user) > 255 or (host is not None and len(host) > 255):
        raise NotFound("No such account.")
    if host is None:
        actor = await Actor.get_or_none(local_username=user.lower(), local=True)
    else:
        actor = await Actor.filter(username__iexact=user, domain=host, local=False).first()
    if actor is None or actor.gone_at is not None or actor.suspended_at is not None:
        raise NotFound("No such account.")
    if actor.kind is ActorKind.APPLICATION:
        raise NotFound("No such account.")
    return actor


def profile_path(actor: Actor) -> str:
    """The path of an actor's profile page on this node: ``/@ana`` or ``/@joao@faro.example``."""
    return f"/@{actor.username}" if actor.local else f"/@{actor.username}@{actor.domain}"


async def badge_of(actor: Actor) -> str | None:
    """``mentor``, ``provider`` or ``staff`` for local people with that role, else None."""
    if not actor.local or actor.account_id is None:  # type: ignore[attr-defined]
        return None
    account = await Account.get_or_none(id=actor.account_id)  # type: ignore[attr-defined]
    return BADGES.get(account.role) if account is not None else None


async def profile(actor: Actor, viewer: Actor | None) -> Profile:
    """What a profile page shows: the actor, its badge, counts and the viewer's relationship."""
    relationship = Relationship()
    if viewer is not None and viewer.id != actor.id:
        mine = await Follow.get_or_none(follower_id=viewer.id, target_id=actor.id)
        theirs = await Follow.filter(
            follower_id=actor.id, target_id=viewer.id, state=FollowState.ACCEPTED
        ).exists()
        relationship = Relationship(
            following=mine is not None and mine.state is FollowState.ACCEPTED,
            requested=mine is not None and mine.state is FollowState.PENDING,
            followed_by=theirs,
        )
    return Profile(
        actor=actor,
        badge=await badge_of(actor),
        followers=await Follow.filter(target_id=actor.id, state=FollowState.ACCEPTED).count(),
        following=await Follow.filter(follower_id=actor.id, state=FollowState.ACCEPTED).count(),
        notes=await Note.filter(visible_to(viewer), not_a_message(), author_id=actor.id).count(),
        relationship=relationship,
        is_self=viewer is not None and viewer.id == actor.id,
        is_own=_same_owner(actor, viewer),
    )


def _same_owner(actor: Actor, viewer: Actor | None) -> bool:
    if viewer is None:
        return False
    owner = actor.account_id  # type: ignore[attr-defined]
    return viewer.id == actor.id or (
        owner is not None and owner == viewer.account_id  # type: ignore[attr-defined]
    )


async def own_actor_ids(viewer: Actor | None) -> frozenset[int]:
    """The viewer and the actors of the same account (their shops): their posts are the viewer's
    own, with nothing to report."""
    if viewer is None:
        return frozenset()
    owner = viewer.account_id  # type: ignore[attr-defined]
    if owner is None:
        return frozenset({viewer.id})
    ids: list[int] = await Actor.filter(account_id=owner).values_list("id", flat=True)  # type: ignore[assignment]
    return frozenset({viewer.id, *ids})


async def author_notes(
    author: Actor, viewer: Actor | None, *, max_id: int | None = None, limit: int = 20
) -> list[Note]:
    """The notes of ``author`` that ``viewer`` may see, newest first (``author`` loaded);
    direct messages stay in Messages, not on the profile."""
    query = Note.filter(visible_to(viewer), not_a_message(), author_id=author.id)
    if max_id is not None:
        query = query.filter(id__lt=max_id)
    limit = max(1, min(limit, 40))
    return await query.order_by("-id").limit(limit).prefetch_related("author")


# --- editing one's own profile ----------------------------------------------------------


def render_bio(source: str, urls: Urls) -> str:
    """A bio's markdown → sanitised HTML (links and hashtags, no images or headings)."""
    return text.render_markdown(source, tag_url=urls.tag) if source else ""


def render_field_value(value: str) -> str:
    """A profile field's value as sanitised HTML: a web address becomes a link (``rel=me``
    verification works as on Mastodon), anything else stays text."""
    if value.startswith(("https://", "http://")) and " " not in value:
        escaped = html.escape(value)
        return text.sanitize_html(f'<a href="{escaped}" rel="me">{escaped}</a>')
    return html.escape(value)


def _clean(value: str) -> str:
    # Control characters (bidi overrides among them) would let a field spoof the page around it.
    return "".join(ch for ch in value.strip() if unicodedata.category(ch)[0] != "C")


def validate_fields(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Up to :data:`MAX_FIELDS` name/value pairs; empty pairs are dropped."""
    kept = [(_clean(n), _clean(v)) for n, v in pairs if _clean(n) or _clean(v)]
    if len(kept) > MAX_FIELDS:
        raise ValidationFailed.on("fields", f"A profile has at most {MAX_FIELDS} fields.")
    out = []
    for index, (name, value) in enumerate(kept):
        if not name or not value:
            raise ValidationFailed.on(f"field_{index}", "A field needs both a label and a value.")
        if len(name) > MAX_FIELD_NAME or len(value) > MAX_FIELD_VALUE:
            raise ValidationFailed.on(
                f"field_{index}",
                f"Labels have at most {MAX_FIELD_NAME} characters, values {MAX_FIELD_VALUE}.",
            )
        out.append({"name": name, "value": render_field_value(value), "source": value})
    return out


async def update_profile(
    publisher: Publisher,
    account: Account,
    urls: Urls,
    *,
    display_name: str,
    bio: str,
    fields: list[tuple[str, str]],
    manually_approves_followers: bool | None = None,
) -> Actor:
    """Change the name, bio (markdown), profile fields and (when given) whether new followers
    wait for approval, of the account's person actor. Peers learn it through ``Update``."""
    name = validate_display_name(display_name)
    source = bio.replace("\r\n", "\n").strip()
    if len(source) > MAX_BIO_CHARS:
        raise ValidationFailed.on("bio", f"The bio can have at most {MAX_BIO_CHARS} characters.")
    profile_fields = validate_fields(fields)
    actor = await person_actor(account)
    async with in_transaction():
        account.display_name = name
        await account.save(update_fields=["display_name", "updated_at"])
        actor.display_name = name
        actor.summary_source = source
        actor.summary = render_bio(source, urls)
        actor.profile_fields = profile_fields
        if manually_approves_followers is not None:
            actor.manually_approves_followers = manually_approves_followers
        await actor.save(
            update_fields=["display_name", "summary_source", "summary", "profile_fields",
                           "manually_approves_followers", "updated_at"]
        )  # fmt: skip
        await publisher.actor_updated(actor)
    return actor


def field_sources(actor: Actor) -> list[tuple[str, str]]:
    """The profile fields as their author typed them (for the edit form)."""
    out: list[tuple[str, str]] = []
    fields: Any = actor.profile_fields
    for item in fields if isinstance(fields, list) else []:
        if isinstance(item, dict):
            value = item.get("source") or text.plain_text(str(item.get("value", "")))
            out.append((str(item.get("name", "")), str(value)))
    return out


def _media_name(url: str | None, urls: Urls) -> str | None:
    prefix = urls.media("")
    return url[len(prefix) :] if url and url.startswith(prefix) else None


async def set_picture(
    publisher: Publisher,
    account: Account,
    urls: Urls,
    media_dir: Path,
    purpose: ImagePurpose,
    data: bytes,
) -> Actor:
    """Replace the avatar or header picture with an upload (checked and re-encoded first:
    nothing is stored or changed when it is refused)."""
    stored = await store_image(media_dir, data, purpose, field=purpose.value)
    return await _replace_picture(publisher, account, urls, media_dir, purpose,
                                  urls.media(stored.name))  # fmt: skip


async def remove_picture(
    publisher: Publisher, account: Account, urls: Urls, media_dir: Path, purpose: ImagePurpose
) -> Actor:
    """Go back to no avatar or no header picture."""
    return await _replace_picture(publisher, account, urls, media_dir, purpose, None)


async def _replace_picture(
    publisher: Publisher,
    account: Account,
    urls: Urls,
    media_dir: Path,
    purpose: ImagePurpose,
    url: str | None,
) -> Actor:
    actor = await person_actor(account)
    attribute = "icon_url" if purpose is ImagePurpose.AVATAR else "header_url"
    old = getattr(actor, attribute)
    async with in_transaction():
        setattr(actor, attribute, url)
        await actor.save(update_fields=[attribute, "updated_at"])
        await publisher.actor_updated(actor)
    old_name = _media_name(old, urls)
    if old_name is not None and old != url:
        remove_image(media_dir, old_name)
    return actor
