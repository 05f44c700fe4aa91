"""What verification returns, and the rules it applies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from federation.signatures.keys import ResolvedKey

Scheme = Literal["draft-cavage", "rfc9421"]


@dataclass(frozen=True, slots=True)
class VerifiedSigner:
    """A request whose signature checked out: who signed it, and how."""

    key_id: str
    controller: str  # owner/controller of the key, as returned by the key lookup
    scheme: Scheme
    algorithm: str  # "rsa-sha256" / "hs2019" / "rsa-v1_5-sha256" / "ed25519"
    label: str | None = None  # RFC 9421 signature label


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a request is unverifiable. Answer it with 401; log ``reason``, never send it."""

    reason: str
    key_id: str | None = None

    def __bool__(self) -> bool:  # lets callers write ``if not result:``
        return False


# Finds the public key for a ``keyId``; None when there is no such key.
KeyLookup = Callable[[str], Awaitable[ResolvedKey | None]]


@dataclass(frozen=True, slots=True)
class VerifyPolicy:
    """The verification rules. The defaults are SECURITY.md "Inbound federation"."""

    window_seconds: int = 3600  # Date and created: now ± 1 h (Mastodon)
    cavage_required: tuple[str, ...] = ("(request-target)", "host", "date")
    rfc9421_required: tuple[str, ...] = ("@method", "@target-uri")
    require_body_digest: bool = True  # digest / content-digest signed and checked
    # Fedify and old Mastodon sign "(request-target)" without the query. Off: the spec is strict.
    cavage_allow_path_only_target: bool = False
    min_rsa_bits: int = 2048
    max_rfc9421_labels: int = 4


DEFAULT_POLICY = VerifyPolicy()
