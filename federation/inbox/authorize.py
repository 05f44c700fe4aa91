"""Who may say what: the origin rules an activity must pass before we accept it.

SECURITY.md "Inbound federation": the key's owner must be the activity's ``actor``; the activity's
``id`` and every embedded object's ``id``/``attributedTo`` must be on the actor's host (Mastodon
CVE-2024-23832, Lemmy ``verify_url_and_domain``); activities claiming our own domain are refused.

Embedded objects of another origin are only legitimate where the activity points at somebody
else's object (``Announce``, ``Like``, ``Accept`` of our ``Follow``, ``Flag``...). Their embedded
copy is never trusted: processing looks the object up locally or fetches it from its origin.
Only ``Create``/``Update``/``Delete`` (and ``Undo`` of the actor's own activity) vouch for the
content they carry, so only there must it be the actor's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation import vocab
from federation.inbox.parse import ParsedActivity, Rejection

# Activities whose object is the actor's own and is taken as sent.
_OWN_OBJECT = frozenset({"Create", "Update", "Delete"})
# Activities whose embedded object must be an activity of the same actor (``Undo{Follow}``).
_OWN_ACTIVITY = frozenset({"Undo"})


def hosts_to_check(activity: ParsedActivity) -> set[str]:
    """The hosts a domain block must be checked against before anything is fetched."""
    hosts = {vocab.host_of(activity.actor), vocab.host_of(activity.id)}
    return {h for h in hosts if h}


def claims_our_domain(activity: ParsedActivity, our_host: str) -> bool:
    """True when the activity or its actor say they are ours: only we speak for our domain."""
    return our_host in (vocab.host_of(activity.actor), vocab.host_of(activity.id))


def check_signer(activity: ParsedActivity, signer: str) -> Rejection | None:
    """The verified key's controller must be the activity's actor (Fedify answers 401 too)."""
    if signer != activity.actor:
        return Rejection(401, "the signature is not the activity actor's")
    return None


def check_origins(activity: ParsedActivity) -> Rejection | None:
    """The activity id, and any content it vouches for, must be on the actor's host."""
    actor_host = vocab.host_of(activity.actor)
    if vocab.host_of(activity.id) != actor_host:
        return Rejection(403, "the activity id is not on the actor's server")
    if activity.type in _OWN_OBJECT:
        for obj in vocab.as_list(activity.body.get("object")):
            problem = _own_object(obj, activity.actor, actor_host)
            if problem is not None:
                return problem
    elif activity.type in _OWN_ACTIVITY:
        for obj in vocab.as_list(activity.body.get("object")):
            if isinstance(obj, Mapping):
                problem = _own_activity(obj, activity.actor, actor_host)
                if problem is not None:
                    return problem
            elif isinstance(obj, str) and vocab.host_of(obj) != actor_host:
                return Rejection(403, "an actor can only undo its own activities")
    return None


def _own_object(obj: Any, actor: str, actor_host: str | None) -> Rejection | None:
    object_id = vocab.id_of(obj)
    if object_id is not None and vocab.host_of(object_id) != actor_host:
        return Rejection(403, "the object is not on the actor's server")
    if isinstance(obj, Mapping):
        authors = vocab.ids_of(obj.get("attributedTo"))
        if any(author != actor for author in authors):
            return Rejection(403, "the object is attributed to someone else")
    return None


def _own_activity(obj: Mapping[str, Any], actor: str, actor_host: str | None) -> Rejection | None:
    object_id = vocab.id_of(obj)
    if object_id is not None and vocab.host_of(object_id) != actor_host:
        return Rejection(403, "an actor can only undo its own activities")
    inner_actor = vocab.first_id(obj.get("actor"))
    if inner_actor is not None and inner_actor != actor:
        return Rejection(403, "an actor can only undo its own activities")
    return None
