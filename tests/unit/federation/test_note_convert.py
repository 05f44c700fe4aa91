"""Received notes in domain terms (``ap_to_note_fields``): every shape real servers send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from federation.convert.note import ap_to_note_fields, parse_datetime, visibility_of
from node.models.social import Visibility

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
BOB = "https://remote.example/users/bob"
FOLLOWERS = BOB + "/followers"
ANA = "https://test.example/users/ana"


def mastodon_note(**overrides: Any) -> dict[str, Any]:
    note: dict[str, Any] = {
        "id": "https://remote.example/users/bob/statuses/1",
        "type": "Note",
        "attributedTo": BOB,
        "to": [PUBLIC],
        "cc": [FOLLOWERS],
        "published": "2025-06-01T08:00:00Z",
        "url": "https://remote.example/@bob/1",
        "content": "<p>Hola</p>",
        "contentMap": {"es": "<p>Hola</p>"},
        "sensitive": False,
        "tag": [{"type": "Mention", "href": ANA, "name": "@ana@test.example"}],
    }
    note.update(overrides)
    return note


def test_a_mastodon_note_becomes_remote_note_fields() -> None:
    fields = ap_to_note_fields(mastodon_note())
    assert fields.uri == "https://remote.example/users/bob/statuses/1"
    assert fields.url == "https://remote.example/@bob/1"
    assert fields.content_html == "<p>Hola</p>"
    assert fields.language == "es"
    assert fields.visibility is Visibility.PUBLIC
    assert fields.published == datetime(2025, 6, 1, 8, tzinfo=UTC)
    assert fields.updated is None
    assert list(fields.tags) == [{"type": "Mention", "name": "@ana@test.example", "href": ANA}]


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        ([PUBLIC], [FOLLOWERS], Visibility.PUBLIC),
        ("as:Public", FOLLOWERS, Visibility.PUBLIC),  # bovine-herd: compacted, cc a string
        (["Public"], [], Visibility.PUBLIC),
        ([FOLLOWERS], [PUBLIC], Visibility.UNLISTED),
        ([FOLLOWERS], [], Visibility.FOLLOWERS),
        ([FOLLOWERS, ANA], [], Visibility.FOLLOWERS),
        ([ANA], [], Visibility.DIRECT),
        ([{"id": ANA, "type": "Person"}], None, Visibility.DIRECT),
        ([], [], Visibility.DIRECT),
    ],
)
def test_visibility_is_read_from_the_addressing(to: Any, cc: Any, expected: Visibility) -> None:
    assert visibility_of({"to": to, "cc": cc}) is expected


def test_a_known_followers_collection_decides_followers_only_exactly() -> None:
    odd = "https://remote.example/collections/bob-fans"
    assert visibility_of({"to": [odd]}, followers_url=odd) is Visibility.FOLLOWERS
    # Something else ending in /followers is not this author's audience: read as direct.
    other = "https://remote.example/users/eve/followers"
    assert visibility_of({"to": [other]}, followers_url=FOLLOWERS) is Visibility.DIRECT


def test_language_comes_from_the_first_contentmap_key_and_content_may_be_missing() -> None:
    fields = ap_to_note_fields(
        mastodon_note(content=None, contentMap={"pt": "<p>Olá</p>", "es": "<p>Hola</p>"})
    )
    assert (fields.language, fields.content_html) == ("pt", "<p>Olá</p>")


def test_a_note_without_language_has_none() -> None:
    note = mastodon_note()
    del note["contentMap"]
    assert ap_to_note_fields(note).language is None


def test_url_as_a_list_of_links_prefers_the_html_one() -> None:
    url = [
        {"type": "Link", "mediaType": "application/activity+json", "href": "https://r.example/a"},
        {"type": "Link", "mediaType": "text/html", "href": "https://r.example/html"},
    ]
    assert ap_to_note_fields(mastodon_note(url=url)).url == "https://r.example/html"


def test_reply_context_summary_and_sensitive_are_read() -> None:
    fields = ap_to_note_fields(
        mastodon_note(
            inReplyTo={"id": "https://test.example/notes/9", "type": "Note"},
            context="https://remote.example/contexts/7",
            summary="spoiler",
            sensitive=True,
            updated="2025-06-02T09:30:00+02:00",
        )
    )
    assert fields.in_reply_to_uri == "https://test.example/notes/9"
    assert fields.context_uri == "https://remote.example/contexts/7"
    assert (fields.summary, fields.sensitive) == ("spoiler", True)
    assert fields.updated == datetime(2025, 6, 2, 7, 30, tzinfo=UTC)


def test_attachments_keep_media_with_urls_and_drop_bare_links() -> None:
    attachment = [
        {
            "type": "Document",
            "mediaType": "image/png",
            "url": "https://remote.example/media/1.png",
            "name": "a market stall",
            "width": 640,
            "height": 480,
            "blurhash": "UBL_:rOpGG-;",
        },
        {"type": "Link", "href": "https://pay.example/checkout"},
        "not an object",
    ]
    [media] = ap_to_note_fields(mastodon_note(attachment=attachment)).attachments
    assert media == {
        "url": "https://remote.example/media/1.png",
        "media_type": "image/png",
        "description": "a market stall",
        "width": 640,
        "height": 480,
        "blurhash": "UBL_:rOpGG-;",
    }


def test_odd_tags_are_skipped_and_hashtags_kept() -> None:
    tags = [
        {"type": "Hashtag", "name": "#mercado", "href": "https://remote.example/tags/mercado"},
        {"type": "Mention", "name": "@nohref"},
        {"type": "Emoji", "name": ":blob:"},
        "junk",
    ]
    assert list(ap_to_note_fields(mastodon_note(tag=tags)).tags) == [
        {"type": "Hashtag", "name": "#mercado", "href": "https://remote.example/tags/mercado"}
    ]


@pytest.mark.parametrize(
    "bad",
    [None, "a string", [], {"type": "Note"}, {"id": "urn:x:1"}, {"id": 42}, {"id": "ftp://x/1"}],
)
def test_a_note_without_a_usable_id_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="note"):
        ap_to_note_fields(bad)


def test_garbage_field_types_never_raise() -> None:
    fields = ap_to_note_fields(
        mastodon_note(
            content=42,
            contentMap=["x"],
            summary={"a": 1},
            published="yesterday",
            url=7,
            tag={"type": "Mention"},
            attachment=True,
            inReplyTo=["not a url"],
        )
    )
    assert fields.content_html == ""
    assert fields.published is None
    assert fields.url is None
    assert fields.in_reply_to_uri is None
    assert (list(fields.tags), list(fields.attachments)) == ([], [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-01T08:00:00Z", datetime(2025, 6, 1, 8, tzinfo=UTC)),
        ("2025-06-01T08:00:00.123Z", datetime(2025, 6, 1, 8, 0, 0, 123000, tzinfo=UTC)),
        ("2025-06-01T08:00:00", datetime(2025, 6, 1, 8, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
        ("9" * 100, None),
    ],
)
def test_times_are_parsed_to_utc(raw: Any, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected
