"""HTTP signatures: the only package that imports bovine's crypto.

- :func:`sign_request` — outbound draft-cavage ``rsa-sha256``, as Mastodon signs
  (``(request-target) host date digest`` for bodies, ``(request-target) host date`` for GET);
- :func:`verify_request` — inbound draft-cavage *and* RFC 9421 (as Fedify 2.3.6 and Mastodon
  ≥ 4.5 send it), returning :class:`VerifiedSigner` or :class:`Failure`, never raising;
- keys: :func:`load_private_key` (parsed once per process), :func:`resolved_key_from_document`,
  FEP-521a Multikey helpers.

bovine's ``SignatureChecker`` is not used: it drops the query from ``(request-target)``, cannot
build ``@target-uri``, does not require ``host``/``digest``/``created`` and leaks exceptions on
malformed RFC 9421 headers (../shared/LIBRARIES.md). Never import ``bovine.jsonld`` here: it
creates a JSON-LD cache file in the working directory.
"""

from __future__ import annotations

from federation.signatures.cavage import sign_request
from federation.signatures.keys import (
    PublicKey,
    ResolvedKey,
    SigningKey,
    assertion_method_entry,
    load_private_key,
    multikey_from_ed25519_public,
    resolved_key_from_document,
)
from federation.signatures.results import (
    DEFAULT_POLICY,
    Failure,
    KeyLookup,
    Scheme,
    VerifiedSigner,
    VerifyPolicy,
)
from federation.signatures.verify import verify_request

__all__ = [
    "DEFAULT_POLICY",
    "Failure",
    "KeyLookup",
    "PublicKey",
    "ResolvedKey",
    "Scheme",
    "SigningKey",
    "VerifiedSigner",
    "VerifyPolicy",
    "assertion_method_entry",
    "load_private_key",
    "multikey_from_ed25519_public",
    "resolved_key_from_document",
    "sign_request",
    "verify_request",
]
