"""The unit of work: one transaction; commit or everything is rolled back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cases.errors import StaleVersion as Conflict
from cases.repository import Repository


class UnitOfWork:
    def __init__(self, engine: sa.Engine, documents_dir: str | Path):
        self.engine = engine
        self.documents_dir = Path(documents_dir)

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
