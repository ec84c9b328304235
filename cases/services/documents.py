"""Documents of a case: checked, stored by content hash, opened by those who may."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from cases import policy
from cases.errors import InvalidInput
from cases.model import (
    Case,
    Document,
    User,
    snapshot,
)
from cases.services.common import (
    _audit,
    _case_for,
    _now,
)
from cases.unit_of_work import UnitOfWork
from cases.workflow import Workflows, default_workflows

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


# Letters, digits and Thai (whose vowel and tone marks \w does not match), '.', '-', ' '.
_SAFE_FILENAME = re.compile(r"[^\w.\- \u0E00-\u0E7F]+", re.UNICODE)


def safe_document_name(filename: str | None) -> str:
    """A stored document's file name: its last part only, letters (Thai too), digits,
    `.`, `-`, `_` and spaces; anything else (slashes, quotes, control characters such as
    CR, LF and NUL) becomes `_`. Every document, uploaded or imported, is named by this."""
    base = Path(str(filename or "document").replace("\\", "/")).name
    return _SAFE_FILENAME.sub("_", base)[:200] or "document"


def store_document_file(uow: UnitOfWork, data: bytes) -> str:
    """Content-addressed: documents/<sha[:2]>/<sha>. Written whole (`uow.write_file`) before
    the row."""
    digest = hashlib.sha256(data).hexdigest()
    target = uow.documents_dir / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        uow.write_file(target, data)
    return digest


def document_path(uow: UnitOfWork, document: Document) -> Path:
    return uow.documents_dir / document.sha256[:2] / document.sha256


def _check_document(kind: str, filename: str, data: bytes, workflows: Workflows) -> None:
    if kind not in workflows.document_kinds:
        raise InvalidInput(
            f"unknown document kind {kind!r}", f"ไม่รู้จักประเภทเอกสาร {kind!r}", field="kind"
        )
    if not data:
        raise InvalidInput(
            f"the file {filename!r} is empty", f"ไฟล์ {filename!r} ว่างเปล่า", field="file"
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            f"the file {filename!r} is {len(data):,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}",
            f"ไฟล์ {filename!r} ใหญ่เกินกำหนด ({len(data):,} ไบต์ เกิน {MAX_DOCUMENT_BYTES:,})",
            field="file",
        )


def _new_document(
    uow: UnitOfWork,
    user: User,
    case: Case,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    workflows: Workflows,
) -> Document:
    _check_document(kind, filename, data, workflows)
    safe_name = safe_document_name(filename)
    digest = store_document_file(uow, data)
    return uow.repo.add_document(
        Document(
            case_id=case.id,
            kind=kind,
            filename=safe_name,
            content_type=(content_type or "application/octet-stream")[:120],
            size=len(data),
            sha256=digest,
            uploaded_by=user.username,
            uploaded_at=_now(),
        )
    )


def upload_document(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    *,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    workflows: Workflows | None = None,
) -> Document:
    workflows = workflows or default_workflows()
    with uow:
        case = _case_for(uow, user, case_id, edit=True)
        document = _new_document(uow, user, case, kind, filename, content_type, data, workflows)
        _audit(uow, user, "upload", "document", document.id, None, snapshot(document))
        uow.commit()
    return document


def get_document(uow: UnitOfWork, user: User, document_id: int) -> tuple[Document, Path]:
    with uow:
        document = uow.repo.get_document(document_id)
        _case_for(uow, user, document.case_id)
        policy.require_document(user, document.kind, default_workflows())
        return document, document_path(uow, document)
