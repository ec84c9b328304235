"""Domain errors. The web layer maps each to an HTTP status code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every case-tracking error; carries a Thai and an English message."""

    status = 400

    def __init__(self, message_en: str, message_th: str | None = None, **details):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_th = message_th or message_en
        self.details = details

    def message(self, lang: str) -> str:
        return self.message_th if lang == "th" else self.message_en


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class StaleVersion(DomainError):
    """Somebody else changed the record since the client read it."""

    status = 409


class TransitionRefused(DomainError):
    """A stage move that the workflow does not allow, or whose requirements are missing."""

    status = 422


class InvalidInput(DomainError):
    status = 422
