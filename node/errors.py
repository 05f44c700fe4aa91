"""Domain errors. Services raise these; one middleware maps them to HTML pages or JSON problems.

Each carries a message a person can act on; ``field`` names the input at fault when there is one.
The HTTP status lives in the adapters (web/api/problems.py), not here.
"""

from __future__ import annotations

from dataclasses import dataclass


class RutaError(Exception):
    """Base of every error a user may see. ``str()`` is the human message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(RutaError):
    """Input the user can correct: one or more fields are wrong."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, [FieldError(field, message)])


class NotFound(RutaError):
    """It does not exist, or the caller may not know that it does."""


class NotAuthenticated(RutaError):
    """The caller must sign in or present a valid token."""


class PermissionDenied(RutaError):
    """The caller is known but may not do this."""


class Conflict(RutaError):
    """The request clashes with the current state (a taken username, a sold listing)."""


class RateLimited(RutaError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(RutaError):
    """A dependency (usually the database) cannot serve now; the caller should retry."""
