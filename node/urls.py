"""The one place public URLs of this node are built.

Ids of federated objects are built from ``RUTA_DOMAIN`` and must never change: other servers store
them. Change a path here only together with a redirect from the old one.
"""

from __future__ import annotations

from urllib.parse import quote

from node.config import Settings
from node.models.actors import ActorKind
from node.services.hashtags import tag_path

# Path prefix of each kind of local actor. Persons live where Mastodon users expect them.
_ACTOR_PREFIX = {
    ActorKind.PERSON: "users",
    ActorKind.ORGANIZATION: "actors",
    ActorKind.GROUP: "groups",
    ActorKind.SERVICE: "actors",
}


class Urls:
    """URL builder for one node: ``urls.actor(kind, "alice")`` → ``https://node/users/alice``."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.base_url
        self.domain = settings.domain

    def absolute(self, path: str) -> str:
        return self.base + path

    # --- actors -----------------------------------------------------------------------------
    def instance_actor(self) -> str:
        return self.base + "/actor"

    def actor(self, kind: ActorKind, username: str) -> str:
        if kind is ActorKind.APPLICATION:
            return self.instance_actor()
        return f"{self.base}/{_ACTOR_PREFIX[kind]}/{quote(username)}"

    def actor_path_prefix(self, kind: ActorKind) -> str:
        return _ACTOR_PREFIX[kind]

    def profile_page(self, username: str) -> str:
        return f"{self.base}/@{quote(username)}"

    def shared_inbox(self) -> str:
        return self.base + "/inbox"

    # --- objects ------------------------------------------------------------------------------
    def note(self, note_id: int) -> str:
        return f"{self.base}/notes/{note_id}"

    def note_page(self, username: str, note_id: int) -> str:
        return f"{self.base}/@{quote(username)}/{note_id}"

    def activity(self, activity_id: int) -> str:
        return f"{self.base}/activities/{activity_id}"

    def tag(self, name: str) -> str:
        """A hashtag's page, by its matched name (``#Artesanía`` → ``/tags/artesania``), so
        every spelling of a tag links to the same address, as on Mastodon."""
        return self.base + tag_path(name)

    def media(self, name: str) -> str:
        return f"{self.base}/media/{quote(name)}"

    # --- well-known -----------------------------------------------------------------------
    def context(self) -> str:
        """Our JSON-LD context for the terms we define (schemas/context.jsonld)."""
        return self.base + "/ns/ruta.jsonld"
