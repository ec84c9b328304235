"""The unit of work: one transaction; commit or everything is rolled back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from cases.errors import StaleVersion as Conflict
from cases.repository import Repository

WriteFile = Callable[[Path, bytes], object]


def write_replacing(path: Path, data: bytes) -> None:
    """Write `path` via a temporary file and `os.replace` (no fsync): the fallback when
    the opener hands in no writer; the app and CLI hand in gis.atomic.write_atomic."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class UnitOfWork:
    def __init__(
        self, engine: sa.Engine, documents_dir: str | Path, write_file: WriteFile | None = None
    ):
        self.engine = engine
        self.documents_dir = Path(documents_dir)
        self.write_file = write_file or write_replacing

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.repo = Repository(self.connection)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.transaction.is_active:
                self.transaction.rollback()
        finally:
            self.connection.close()
        if exc_type is not None and issubclass(exc_type, sa.exc.IntegrityError):
            # Two writers raced for the same number, ref or kind: the second one is
            # refused like a stale update, and nothing of it was written.
            raise Conflict(
                "someone else saved the same record at the same moment; reload and try again",
                "มีผู้อื่นบันทึกข้อมูลเดียวกันในเวลาเดียวกัน กรุณาโหลดใหม่แล้วลองอีกครั้ง",
            ) from exc

    def commit(self) -> None:
        self.transaction.commit()

    def rollback(self) -> None:
        self.transaction.rollback()
