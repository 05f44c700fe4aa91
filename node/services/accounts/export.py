"""A person's data as one ZIP file: profile, posts, messages (its own and its shops'), follows,
reports filed, and the marketplace (shops, listings with their photos, orders placed and received,
saved listings), each table as JSON and as CSV (JSON for programs and other servers, CSV for a
spreadsheet)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from node import clock
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.models.moderation import Report
from node.models.social import Follow, Note
from node.services.market import export as market
from node.services.social.messages import messages_of
from node.services.social.notes import urls_for

FORMAT_VERSION = 1


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.isoformat(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _rows(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: _value(v) for key, v in record.items()} for record in records]


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    # A spreadsheet runs a cell starting with = + - @ as a formula; a quote keeps it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    # The byte-order mark makes spreadsheets read UTF-8 (accents, Arabic) correctly.
    out = io.StringIO("\ufeff")
    out.seek(0, io.SEEK_END)
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


async def _profile(account: Account, actor: Actor) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": clock.isoformat(clock.now()),
        "account": _rows(
            [
                {
                    "username": account.username,
                    "email": account.email,
                    "display_name": account.display_name,
                    "role": account.role,
                    "language": account.language,
                    "created_at": account.created_at,
                    "email_verified_at": account.email_verified_at,
                    "approved_at": account.approved_at,
                }
            ]
        )[0],
        "actor": _rows(
            [
                {
                    "id": actor.uri,
                    "handle": actor.handle,
                    "url": actor.url,
                    "display_name": actor.display_name,
                    "summary_html": actor.summary,
                    "profile_fields": actor.profile_fields,
                    "icon_url": actor.icon_url,
                    "header_url": actor.header_url,
                    "manually_approves_followers": actor.manually_approves_followers,
                    "published": actor.published,
                }
            ]
        )[0],
    }


POST_COLUMNS = (
    "id", "url", "published", "edited_at", "visibility", "language", "summary", "sensitive",
    "in_reply_to", "content_source", "content_html", "attachments",
)  # fmt: skip
FOLLOW_COLUMNS = ("handle", "id", "state", "since")
MESSAGE_COLUMNS = (
    "conversation", "as", "as_shop", "about", "with", "id", "published", "from", "sent", "language",
    "content_html", "content_source",
)  # fmt: skip
REPORT_COLUMNS = ("created_at", "target", "objects", "comment", "resolved_at")


async def _posts(actor: Actor) -> list[dict[str, Any]]:
    notes = await Note.filter(author=actor).order_by("id")
    return _rows(
        [
            {
                "id": n.uri,
                "url": n.url,
                "published": n.published,
                "edited_at": n.edited_at,
                "visibility": n.visibility,
                "language": n.language,
                "summary": n.summary,
                "sensitive": n.sensitive,
                "in_reply_to": n.in_reply_to_uri,
                "content_source": n.content_source,
                "content_html": n.content_html,
                "attachments": n.attachments,
            }
            for n in notes
        ]
    )


async def _follows(actor: Actor, *, outgoing: bool) -> list[dict[str, Any]]:
    if outgoing:
        rows = await Follow.filter(follower=actor).select_related("target").order_by("id")
        others = [(f, f.target) for f in rows]
    else:
        rows = await Follow.filter(target=actor).select_related("follower").order_by("id")
        others = [(f, f.follower) for f in rows]
    return _rows(
        [
            {"handle": other.handle, "id": other.uri, "state": f.state, "since": f.created_at}
            for f, other in others
        ]
    )


async def _reports(actor: Actor) -> list[dict[str, Any]]:
    reports = await Report.filter(reporter=actor).select_related("target").order_by("id")
    return _rows(
        [
            {
                "created_at": r.created_at,
                "target": r.target.uri if r.target else None,
                "objects": r.object_uris,
                "comment": r.comment,
                "resolved_at": r.resolved_at,
            }
            for r in reports
        ]
    )


async def export_account(account: Account, *, readme: str, media_dir: Path | None = None) -> bytes:
    """The ZIP archive of everything the account published or filed on this node, with
    ``readme`` (what each file holds, written in the person's language by the caller, which
    knows the catalogs) as ``README.txt``; with ``media_dir`` it carries the photos of the
    account's listings too."""
    actor = await Actor.get(account_id=account.id, kind=ActorKind.PERSON)
    actors = list(await Actor.filter(account_id=account.id).order_by("id"))
    listings, photo_files = await market.listings(urls_for(actor), actors)
    tables = {
        "posts": (await _posts(actor), POST_COLUMNS),
        "messages": (_rows(await messages_of(actors)), MESSAGE_COLUMNS),
        "following": (await _follows(actor, outgoing=True), FOLLOW_COLUMNS),
        "followers": (await _follows(actor, outgoing=False), FOLLOW_COLUMNS),
        "reports": (await _reports(actor), REPORT_COLUMNS),
        "shops": (_rows(await market.shops(account)), market.SHOP_COLUMNS),
        "listings": (_rows(listings), market.LISTING_COLUMNS),
        "orders_placed": (_rows(await market.orders(actors, as_buyer=True)), market.ORDER_COLUMNS),
        "orders_received": (
            _rows(await market.orders(actors, as_buyer=False)),
            market.ORDER_COLUMNS,
        ),
        "saved_listings": (_rows(await market.saved_listings(account)), market.SAVED_COLUMNS),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "profile.json", json.dumps(await _profile(account, actor), ensure_ascii=False, indent=2)
        )
        for name, (rows, columns) in tables.items():
            archive.writestr(f"{name}.json", json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr(f"{name}.csv", _csv(rows, columns))
        if media_dir is not None:
            for name in photo_files:
                path = media_dir / name
                if path.is_file():  # a file lost from the disk must not cost the whole export
                    archive.write(path, market.PHOTO_FOLDER + name)
        archive.writestr("README.txt", readme)
    return buffer.getvalue()
