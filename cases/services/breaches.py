"""The breach register (PDPA s37(4)): when a breach was detected, what happened, how many
households it touched, its risk, and when the PDPC and the people affected were told.

The PDPC must be told within 72 hours of the detection (`Breach.deadline`); a breach not
yet told past it is overdue. Times are UTC, naive, like every time the store keeps.
Officers and admins only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cases import policy
from cases.errors import Forbidden, InvalidInput
from cases.model import BREACH_RISKS, MAX_TEXT, PDPA_START, Breach, User, snapshot
from cases.services.common import _audit, _check_length, _now
from cases.unit_of_work import UnitOfWork

MAX_HOUSEHOLDS = 10_000_000
CLOCK_SLACK = timedelta(minutes=5)  # a time "now" on a slightly fast clock is not future
RISK_LABELS = {
    "low": {"th": "ความเสี่ยงต่ำ", "en": "Low risk"},
    "high": {"th": "ความเสี่ยงสูง (ต้องแจ้งเจ้าของข้อมูลด้วย)", "en": "High risk (tell the people too)"},
}


def _require_officer(user: User) -> None:
    if not policy.is_officer(user):
        raise Forbidden(
            "the breach register is for officers and admins", "ทะเบียนเหตุละเมิดสำหรับเจ้าหน้าที่เท่านั้น"
        )


def _utc(value: datetime | None, field: str, *, after: datetime | None = None) -> datetime | None:
    """`value` as naive UTC, bounded: not before the PDPA, not in the future, not before
    `after` (the detection)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInput(
            f"{field} must be a date and time", f"{field} ต้องเป็นวันและเวลา", field=field
        )
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    value = value.replace(microsecond=0)
    now = _now()
    if value > now + CLOCK_SLACK:
        raise InvalidInput(
            f"{field} {value:%Y-%m-%d %H:%M} UTC is in the future",
            f"{field} ต้องไม่เป็นเวลาในอนาคต",
            field=field,
        )
    if value.date() < PDPA_START:
        raise InvalidInput(
            f"{field} must not be before the PDPA (2019)",
            f"{field} ต้องไม่ก่อน พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล (พ.ศ. 2562)",
            field=field,
        )
    if after is not None and value < after:
        raise InvalidInput(
            f"{field} must not be before the breach was detected",
            f"{field} ต้องไม่ก่อนเวลาที่ตรวจพบเหตุ",
            field=field,
        )
    return value


def record_breach(
    uow: UnitOfWork,
    user: User,
    *,
    detected_at: datetime,
    description: str,
    households_affected: int,
    risk: str,
    pdpc_notified_at: datetime | None = None,
    subjects_notified_at: datetime | None = None,
) -> Breach:
    _require_officer(user)
    detected = _utc(detected_at, "detected_at")
    if detected is None:
        raise InvalidInput(
            "when the breach was detected is required", "ต้องระบุเวลาที่ตรวจพบเหตุ", field="detected_at"
        )
    if not (description or "").strip():
        raise InvalidInput("describe what happened", "ต้องบรรยายว่าเกิดอะไรขึ้น", field="description")
    _check_length(description, "description", MAX_TEXT)
    if not isinstance(households_affected, int) or not (0 <= households_affected <= MAX_HOUSEHOLDS):
        raise InvalidInput(
            f"households affected must be a whole number, 0 to {MAX_HOUSEHOLDS:,}",
            f"จำนวนครัวเรือนที่ได้รับผลกระทบต้องเป็นจำนวนเต็ม 0 ถึง {MAX_HOUSEHOLDS:,}",
            field="households_affected",
        )
    if risk not in BREACH_RISKS:
        raise InvalidInput("the risk is low or high", "ระดับความเสี่ยงต้องเป็น ต่ำ หรือ สูง", field="risk")
    breach = Breach(
        detected_at=detected,
        description=description.strip(),
        households_affected=households_affected,
        risk=risk,
        recorded_by=user.username,
        recorded_at=_now(),
        pdpc_notified_at=_utc(pdpc_notified_at, "pdpc_notified_at", after=detected),
        subjects_notified_at=_utc(subjects_notified_at, "subjects_notified_at", after=detected),
    )
    with uow:
        uow.repo.add_breach(breach)
        _audit(uow, user, "create", "breach", breach.id, None, snapshot(breach))
        uow.commit()
    return breach


def breach_notified(
    uow: UnitOfWork,
    user: User,
    breach_id: int,
    *,
    pdpc_notified_at: datetime | None = None,
    subjects_notified_at: datetime | None = None,
) -> Breach:
    """Record when the PDPC, or the people affected, were told."""
    _require_officer(user)
    with uow:
        breach = uow.repo.get_breach(breach_id)
        before = snapshot(breach)
        if pdpc_notified_at is not None:
            breach.pdpc_notified_at = _utc(
                pdpc_notified_at, "pdpc_notified_at", after=breach.detected_at
            )
        if subjects_notified_at is not None:
            breach.subjects_notified_at = _utc(
                subjects_notified_at, "subjects_notified_at", after=breach.detected_at
            )
        uow.repo.update_breach(breach)
        _audit(uow, user, "notified", "breach", breach.id, before, snapshot(breach))
        uow.commit()
    return breach


def list_breaches(uow: UnitOfWork, user: User) -> list[Breach]:
    """Every breach, the latest detected first."""
    _require_officer(user)
    with uow:
        return uow.repo.list_breaches()
