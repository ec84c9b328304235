"""Everything held about one household, for its subject access request (PDPA s30, s31).

`subject_access_records` reads, in one unit of work, the household, its case and
community, its members, its documents (its own and the signed consent forms its ledger
names: listed, never their files), the consent ledger, the audit entries about it and
its documents, and the read log; and audits the export (`subject_access`). The read log
line of the export is written by the entry point through `log_reads`, the log's one
writer (docs/decisions/0025).

Only officers and admins export. A community representative sees the household page of
their community, but an export holds what the page never shows at once (the full
national ID, the audit and read logs, who viewed the record), and answering a request
is the controller's act (the CODI office), recorded in its register of requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases import policy
from cases.errors import Forbidden
from cases.model import (
    AuditEntry,
    Case,
    Community,
    ConsentEvent,
    Document,
    Household,
    Member,
    ReadEntry,
    SubjectRequest,
    User,
)
from cases.services.common import _audit, _case_for
from cases.unit_of_work import UnitOfWork

# Every line of a household's logs goes into its export; a household's log this long
# is far beyond any programme's, and the bound keeps one export's memory finite.
MAX_LOG_LINES = 100_000


@dataclass
class SubjectRecords:
    household: Household
    case: Case
    community: Community
    members: list[Member] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    consent: list[ConsentEvent] = field(default_factory=list)  # oldest first
    audit: list[AuditEntry] = field(default_factory=list)  # oldest first
    reads: list[ReadEntry] = field(default_factory=list)  # oldest first
    requests: list[SubjectRequest] = field(default_factory=list)  # naming it, oldest first


def subject_access_records(uow: UnitOfWork, user: User, household_id: int) -> SubjectRecords:
    """What the planner holds about a household, for an officer or admin; the export is
    audited (action `subject_access`) in the same unit of work."""
    if not policy.is_officer(user):
        raise Forbidden(
            "only officers and admins export a household's data (a subject access request)",
            "เฉพาะเจ้าหน้าที่และผู้ดูแลระบบเท่านั้นที่ส่งออกข้อมูลของครัวเรือนตามคำขอของเจ้าของข้อมูลได้",
        )
    with uow:
        household = uow.repo.get_household(household_id)
        case = _case_for(uow, user, household.case_id)
        community = uow.repo.get_community(case.community_id)
        consent = uow.repo.list_consent_events(household.id)
        documents = {d.id: d for d in uow.repo.list_household_documents(household.id)}
        named = {e.document_id for e in consent if e.document_id} - documents.keys()
        for document in uow.repo.list_documents(case.id):
            if document.id in named:
                documents[document.id] = document
        audit = uow.repo.list_audit(entity="household", entity_id=household.id, limit=MAX_LOG_LINES)
        for document_id in sorted(documents):
            audit += uow.repo.list_audit(entity="document", entity_id=document_id, limit=100)
        records = SubjectRecords(
            household=household,
            case=case,
            community=community,
            members=uow.repo.list_members(household.id),
            documents=[documents[k] for k in sorted(documents)],
            consent=consent,
            audit=sorted(audit, key=lambda e: (e.at, e.id or 0)),
            reads=list(
                reversed(uow.repo.list_reads(household_id=household.id, limit=MAX_LOG_LINES))
            ),
            requests=sorted(
                uow.repo.list_requests(household_id=household.id),
                key=lambda r: (r.received_on, r.id or 0),
            ),
        )
        _audit(uow, user, "subject_access", "household", household.id, None, {"export": True})
        uow.commit()
    return records
