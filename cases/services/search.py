"""Search: one box that finds cases, communities and households by name, number or code.

Roles decide what is searched, not only what is shown:
- cases and communities: every user, a community representative only their own;
- households: only the roles that see personal data (cases.policy), and only in the
  cases the user may view. A municipality viewer's text is never matched against
  household heads' names at all, so not even "a household matched" can leak.
A household is found by its head's name, its number or its house code (structure id);
never by national ID, phone or address.

The text is bounded (MAX_SEARCH characters, else refused in Thai and English); `%`
and `_` are taken literally. The search text is never logged: it may be a person's name.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from cases import policy
from cases.errors import Forbidden, InvalidInput
from cases.model import User
from cases.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_SEARCH = 100  # characters: longer than any name, ref or code
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Link:
    """What a result opens: `kind` ("case", "household", "community_cases") and its key.
    The web layer turns it into an address (case page, household page, the community's
    cases list)."""

    kind: str
    key: int | str


@dataclass(frozen=True)
class CaseHit:
    id: int
    ref: str
    title_th: str
    title_en: str
    community_id: str
    community_th: str
    community_en: str

    @property
    def link(self) -> Link:
        return Link("case", self.id)


@dataclass(frozen=True)
class CommunityHit:
    id: str
    name_th: str
    name_en: str
    district_th: str
    district_en: str
    province_th: str = ""
    province_code: str | None = None
    district_code: str | None = None

    @property
    def link(self) -> Link:
        return Link("community_cases", self.id)


@dataclass(frozen=True)
class HouseholdHit:
    id: int
    case_id: int
    case_ref: str
    household_no: int
    head_name: str
    structure_id: str | None
    community_id: str
    community_th: str
    community_en: str

    @property
    def link(self) -> Link:
        return Link("household", self.id)


@dataclass(frozen=True)
class SearchResults:
    """What one search found. `households_searched` is False for a role that does not
    see personal data (its households were not looked at); `more` names the groups
    that had more than `limit` matches."""

    text: str
    cases: list[CaseHit] = field(default_factory=list)
    communities: list[CommunityHit] = field(default_factory=list)
    households: list[HouseholdHit] = field(default_factory=list)
    households_searched: bool = False
    more: frozenset[str] = frozenset()

    @property
    def total(self) -> int:
        return len(self.cases) + len(self.communities) + len(self.households)


def clean_search_text(text: str | None) -> str:
    """The text as searched: spaces collapsed and trimmed; refused when too long."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) > MAX_SEARCH:
        raise InvalidInput(
            f"search for at most {MAX_SEARCH} characters (this was {len(text):,})",
            f"คำค้นหายาวได้ไม่เกิน {MAX_SEARCH} ตัวอักษร (คำนี้ยาว {len(text):,} ตัวอักษร)",
            field="q",
        )
    return text


def _household_no(text: str) -> int | None:
    """A household number typed in Arabic or Thai digits, optionally after 'no.'/'เลขที่'."""
    digits = text.translate(_THAI_DIGITS).lower()
    for prefix in ("no.", "no", "#", "เลขที่", "ครัวเรือนที่", "หลังที่"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :].strip()
            break
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None


def search(
    uow: UnitOfWork, user: User | None, text: str | None, *, limit: int = DEFAULT_LIMIT
) -> SearchResults:
    """Cases, communities and households matching `text`, as `user` may see them."""
    if user is None:
        raise Forbidden("log in to search", "กรุณาเข้าสู่ระบบก่อนค้นหา")
    text = clean_search_text(text)
    limit = max(1, min(MAX_LIMIT, int(limit)))
    households_searched = policy.sees_personal_data(user)
    if not text:
        return SearchResults(text="", households_searched=households_searched)
    scope = policy.community_scope(user)
    with uow:
        repo = uow.repo
        cases = repo.search_cases(text, community_id=scope, limit=limit + 1)
        communities = repo.search_communities(text, community_id=scope, limit=limit + 1)
        households = []
        if households_searched:
            households = repo.search_households(
                text, household_no=_household_no(text), community_id=scope, limit=limit + 1
            )
    more = frozenset(
        name
        for name, rows in (
            ("cases", cases),
            ("communities", communities),
            ("households", households),
        )
        if len(rows) > limit
    )
    results = SearchResults(
        text=text,
        cases=[CaseHit(**r) for r in cases[:limit]],
        communities=[CommunityHit(**r) for r in communities[:limit]],
        households=[HouseholdHit(**r) for r in households[:limit]],
        households_searched=households_searched,
        more=more,
    )
    # Never the text: it may be a person's name (personal data).
    log.info(
        "search by %s (%s): %d characters; %d cases, %d communities, %d households",
        user.username,
        user.role,
        len(text),
        len(results.cases),
        len(results.communities),
        len(results.households),
    )
    return results
