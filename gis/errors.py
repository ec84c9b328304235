"""One error module for the analysis library: every problem is collected and
reported at once, each naming the file, the feature and the field."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a layer or file.

    `feature` is the 0-based row number (or id) of the offending feature, or None
    when the problem concerns the whole layer; `field` likewise.
    """

    message_en: str
    message_th: str
    file: str | None = None
    layer: str | None = None
    feature: int | str | None = None
    field: str | None = None
    severity: str = "error"  # error | warning

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.layer:
            parts.append(f"layer {self.layer}")
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message_en}" if where else self.message_en

    def to_dict(self) -> dict:
        return asdict(self)


class PlannerError(Exception):
    """Base of every error the analysis library raises on purpose."""


class ValidationError(PlannerError):
    """A layer or file failed validation; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        super().__init__(f"{len(lines)} problem(s):\n" + "\n".join(f"  - {line}" for line in lines))


class CatalogError(PlannerError):
    """The layer catalogue itself is malformed, or a layer is not in it."""
