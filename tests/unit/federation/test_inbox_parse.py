"""Reading inbox bodies: every malformed shape is a 4xx with a reason, never an exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.inbox.parse import (
    MAX_BODY,
    MAX_DEPTH,
    ParsedActivity,
    Rejection,
    accepts_content_type,
    check_tree,
    parse_activity,
)

ACTOR = "https://remote.example/users/bob"
GOOD = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://remote.example/activities/1",
    "type": "Follow",
    "actor": ACTOR,
    "object": "https://our.example/users/alice",
}


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_a_well_formed_activity_is_parsed_with_its_id_type_and_actor() -> None:
    parsed = parse_activity(body(GOOD))
    assert parsed == ParsedActivity(id=GOOD["id"], type="Follow", actor=ACTOR, body=GOOD)


def test_an_embedded_actor_object_and_a_type_list_are_accepted() -> None:
    parsed = parse_activity(body({**GOOD, "actor": {"id": ACTOR}, "type": ["Follow", "x:Y"]}))
    assert isinstance(parsed, ParsedActivity)
    assert (parsed.actor, parsed.type) == (ACTOR, "Follow")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the body is empty"),
        (b"   ", "the body is empty"),
        (b"{not json", "the body is not valid JSON"),
        (b"\xff\xfe{}", "the body is not valid JSON"),
        (b"[1, 2]", "the body is not a JSON object"),
        (b'"Follow"', "the body is not a JSON object"),
        (b'{"id": NaN}', "the body is not valid JSON"),
        (b'{"id": 1e400}', "the body is not valid JSON"),
        (b'{"id": Infinity}', "the body is not valid JSON"),
        (b'{"n": ' + b"9" * 5000 + b"}", "the body is not valid JSON"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_bad_requests(raw: bytes, reason: str) -> None:
    assert parse_activity(raw) == Rejection(400, reason)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": None}, "the activity has no type"),
        ({"type": 7}, "the activity has no type"),
        ({"type": []}, "the activity has no type"),
        ({"type": ""}, "the activity has no type"),
        ({"type": "x" * 101}, "the activity has no type"),
        ({"id": None}, "the activity has no http(s) id"),
        ({"id": 12}, "the activity has no http(s) id"),
        ({"id": "urn:uuid:1"}, "the activity has no http(s) id"),
        ({"id": "javascript:alert(1)"}, "the activity has no http(s) id"),
        ({"id": "https://remote.example/" + "a" * 2048}, "the activity has no http(s) id"),
        ({"actor": None}, "the activity has no http(s) actor"),
        ({"actor": ["not a url"]}, "the activity has no http(s) actor"),
        ({"actor": {"name": "bob"}}, "the activity has no http(s) actor"),
        ({"actor": "ftp://remote.example/bob"}, "the activity has no http(s) actor"),
    ],
)
def test_missing_or_mistyped_id_type_or_actor_is_a_bad_request(
    change: dict[str, Any], reason: str
) -> None:
    assert parse_activity(body({**GOOD, **change})) == Rejection(400, reason)


def test_json_nested_deeper_than_the_bound_is_refused() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    rejection = parse_activity(body({**GOOD, "object": deep}))
    assert rejection == Rejection(400, f"JSON is nested deeper than {MAX_DEPTH} levels")


def test_json_nested_beyond_the_parsers_recursion_limit_is_refused_not_crashed() -> None:
    raw = b'{"id": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    assert parse_activity(raw) == Rejection(400, f"JSON is nested deeper than {MAX_DEPTH} levels")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": "https://r.example/1", "type": "Note", "actor": "https://r.example/a", "x": "\\u0000"}',
        b'{"id": "https://r.example/1", "type": "Note", "actor": "https://r.example/a", "x": "\\ud800"}',
        b'{"id": "https://r.example/1", "type": "Note", "actor": "https://r.example/a", "\\u0000": 1}',
    ],
)
def test_text_postgresql_cannot_store_is_refused_up_front(raw: bytes) -> None:
    rejection = parse_activity(raw)
    assert rejection == Rejection(400, "JSON text contains NUL or unpaired surrogate characters")


def test_a_body_over_one_mebibyte_is_too_large() -> None:
    raw = body({**GOOD, "padding": "x" * MAX_BODY})
    assert parse_activity(raw) == Rejection(413, "the body is larger than 1 MiB")


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("application/activity+json", True),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
        ("application/json; charset=utf-8", True),
        ("Application/Activity+JSON", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        ("", False),
        (None, False),
    ],
)
def test_only_json_media_types_are_accepted(value: str | None, accepted: bool) -> None:
    assert accepts_content_type(value) is accepted


def test_check_tree_counts_depth_from_the_top_level() -> None:
    assert check_tree({"a": {"b": 1}}, max_depth=3) is None
    assert check_tree({"a": {"b": {"c": 1}}}, max_depth=3) is not None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
activity_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.sampled_from(["https://r.example/1", "urn:x", ""]),
        "type": json_values | st.sampled_from(["Follow", "Create", "Undo"]),
        "actor": json_values | st.sampled_from([ACTOR, {"id": ACTOR}, [ACTOR]]),
        "object": json_values,
        "to": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(value=json_values | activity_fields)
def test_any_json_value_parses_to_an_activity_or_a_4xx(value: Any) -> None:
    result = parse_activity(json.dumps(value).encode())
    if isinstance(result, Rejection):
        assert 400 <= result.status < 500
        assert result.reason
    else:
        assert isinstance(result.id, str) and result.id.startswith(("http://", "https://"))
        assert isinstance(result.actor, str) and result.actor.startswith(("http://", "https://"))
        assert isinstance(result.type, str) and result.type
        # What is accepted can be written back as JSON for the job row.
        json.dumps(result.body).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_parse_to_an_activity_or_a_4xx(raw: bytes) -> None:
    result = parse_activity(raw)
    assert isinstance(result, ParsedActivity | Rejection)
    if isinstance(result, Rejection):
        assert 400 <= result.status < 500
