"""Domain errors raised by services and selectors; interfaces map them to HTTP answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """Base class of errors a user can act on."""


class NotFound(DomainError):
    """The record does not exist or the user may not see it (never tell which)."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"{what} not found")
        self.what = what


class PermissionDenied(DomainError):
    """The user may see the record but not perform this action on it."""

    def __init__(self, message: str = "You may not perform this action.") -> None:
        super().__init__(message)


class ConflictError(DomainError):
    """The write was made against a stale version of the record; nothing was changed."""

    def __init__(self, *, current_version: int, given_version: int) -> None:
        super().__init__(
            f"The record was changed by someone else (version {current_version}, you edited version "
            f"{given_version}). Reload it and apply your change again."
        )
        self.current_version = current_version
        self.given_version = given_version


def validation_errors(error: ValidationError) -> dict[str, list[str]]:
    """Return a ValidationError as {field: [messages]} ("__all__" for non-field errors)."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def error_text(error: Exception) -> str:
    """A refusal as text for a person (a job's failure message): one line per field, or the message."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "\n".join(
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        )
    if isinstance(error, ValidationError):
        return "\n".join(error.messages)
    return str(error)
