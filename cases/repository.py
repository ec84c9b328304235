"""The case store's repository: domain objects in and out of the tables.

One class over one connection; the unit of work owns the transaction. Updates
check the version the caller read: a stale one raises `StaleVersion` and
changes nothing.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from datetime import date

import sqlalchemy as sa

from cases import orm
from cases.errors import NotFound, StaleVersion
from cases.model import (
    AuditEntry,
    Breach,
    BudgetLine,
    Case,
    Community,
    ConsentEvent,
    Document,
    Household,
    LayoutDecision,
    LoginSession,
    Member,
    Plot,
    ReadEntry,
    StageEvent,
    SubjectRequest,
    SurveyConflict,
    SurveySubmission,
    User,
)


@functools.cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@functools.cache
def _columns_of(cls, columns: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """(position, name) of each of `cls`'s fields among a result's columns."""
    where = {name: i for i, name in enumerate(columns)}
    return tuple((where[name], name) for name in _field_names(cls) if name in where)


def _row_to(cls, row):
    return cls(**{name: row[i] for i, name in _columns_of(cls, row._fields)})


@functools.cache
def _where_equal(table_name: str, column: str, order_by: tuple[str, ...] = ()):
    """`SELECT * FROM table WHERE column = :value ORDER BY …` (a name ending in " desc"
    sorts down), built once: SQLAlchemy spends most of a small query's time making the
    statement and its cache key afresh (~90 of ~130 µs on SQLite)."""
    table = orm.metadata.tables[table_name]
    order = [
        table.c[name[: -len(" desc")]].desc() if name.endswith(" desc") else table.c[name]
        for name in order_by
    ]
    return sa.select(table).where(table.c[column] == sa.bindparam("value")).order_by(*order)


def _rows_where(conn, table_name: str, column: str, value, *order_by: str):
    return conn.execute(_where_equal(table_name, column, order_by), {"value": value})


@functools.cache
def _session_by_hash():
    """A login session by its token's hash, with its user's columns as u_<name>."""
    s, u = orm.sessions, orm.users
    return (
        sa.select(*s.c, *(c.label(f"u_{c.name}") for c in u.c))
        .join(u, u.c.id == s.c.user_id)
        .where(s.c.token_hash == sa.bindparam("token_hash"))
    )


@functools.cache
def _conflicts_of_case(open_only: bool):
    t = orm.survey_conflicts
    where = [t.c.case_id == sa.bindparam("case_id")]
    if open_only:
        where.append(t.c.resolved.is_(None))
    return sa.select(t).where(*where).order_by(t.c.id)


@functools.cache
def _household_counts():
    t = orm.household_tallies
    return (
        sa.select(t.c.case_id, t.c.house_status, t.c.agreed_to_move, sa.func.sum(t.c.n))
        .where(t.c.case_id.in_(sa.bindparam("case_ids", expanding=True)))
        .group_by(t.c.case_id, t.c.house_status, t.c.agreed_to_move)
    )


@functools.cache
def _generation():
    g = orm.store_generation
    return sa.select(g.c.generation).where(g.c.id == 1)


def _values(obj, *, exclude=("id",)) -> dict:
    return {name: getattr(obj, name) for name in _field_names(type(obj)) if name not in exclude}


def _tally_keys(household: Household, place: tuple[str, str, str]) -> list[tuple]:
    """The tally rows one household counts in; `place` is (programme, district_en, district_th)."""
    programme, district_en, district_th = place
    status, agreed = household.house_status, bool(household.agreed_to_move)
    keys = [
        ("case", household.case_id, status, agreed),
        ("district", district_en, district_th, programme, status, agreed),
    ]
    if household.finished_on:
        keys.append(("finished", programme, household.finished_on.strftime("%Y-%m")))
    return keys


_LABELS_TH = {
    "case": "กรณี",
    "household": "ครัวเรือน",
    "plot": "แปลง",
    "budget line": "รายการงบประมาณ",
    "layout decision": "มติผังชุมชน",
}


LIKE_ESCAPE = "!"  # not a backslash: dialects quote that one differently


def like_pattern(text: str) -> str:
    """`%text%` for LIKE, with `%`, `_` and LIKE_ESCAPE itself taken literally."""
    for char in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, LIKE_ESCAPE + char)
    return f"%{text}%"


def _contains(text: str, *columns):
    """Any of `columns` holds `text`: Latin letters in any case (both sides lowered; Thai
    has no case, so it is a plain LIKE), wildcards literal, on SQLite and PostgreSQL."""
    pattern = like_pattern(text.lower())
    return sa.or_(
        *(
            sa.func.lower(sa.func.coalesce(col, "")).like(pattern, escape=LIKE_ESCAPE)
            for col in columns
        )
    )


def _entered_before(entered_before: dict[tuple, date]):
    """Cases that entered a stage before its date ({(case_type, stage): date})."""
    c = orm.cases
    return sa.or_(
        sa.false(),
        *(
            sa.and_(c.c.case_type == case_type, c.c.stage == stage, c.c.stage_entered_on < before)
            for (case_type, stage), before in entered_before.items()
        ),
    )


class Repository:
    def __init__(self, conn: sa.Connection):
        self.conn = conn

    # -- household tallies (kept in step with households) ---------------------
    def touch(self) -> None:
        """Note that what the dashboard shows has changed (commits with the transaction)."""
        g = orm.store_generation
        self.conn.execute(g.update().where(g.c.id == 1).values(generation=g.c.generation + 1))

    def generation(self) -> int:
        return self.conn.execute(_generation()).scalar() or 0

    def _places(self, case_ids) -> dict[int, tuple[str, str, str]]:
        """Case id → (programme, district_en, district_th)."""
        c, m = orm.cases, orm.communities
        rows = self.conn.execute(
            sa.select(c.c.id, c.c.programme, m.c.district_en, m.c.district_th)
            .select_from(c.join(m, c.c.community_id == m.c.id))
            .where(c.c.id.in_(set(case_ids)))
        )
        return {row[0]: tuple(row[1:]) for row in rows}

    def _bump_tallies(self, deltas: dict[tuple, int]) -> None:
        """Add `deltas` (from `_tally_keys`) to the tallies: upsert, then drop zero rows."""
        if self.conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        for kind, table, names in (
            ("case", orm.household_tallies, ("case_id", "house_status", "agreed_to_move")),
            (
                "district",
                orm.district_tallies,
                ("district_en", "district_th", "programme", "house_status", "agreed_to_move"),
            ),
            ("finished", orm.finished_tallies, ("programme", "finished_month")),
        ):
            rows = [
                {**dict(zip(names, key[1:])), "n": delta}
                for key, delta in deltas.items()
                if delta and key[0] == kind
            ]
            if not rows:
                continue
            self.touch()
            stmt = insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=[table.c[name] for name in names],
                set_={"n": table.c.n + stmt.excluded.n},
            )
            self.conn.execute(stmt, rows)
            self.conn.execute(table.delete().where(table.c.n == 0))

    def _count_into(self, deltas: dict[tuple, int], households, sign: int = 1) -> None:
        places = self._places(h.case_id for h in households)
        for household in households:
            for key in _tally_keys(household, places[household.case_id]):
                deltas[key] = deltas.get(key, 0) + sign

    def check_tallies(self) -> list[tuple]:
        """Differences between the tallies and a fresh count (empty when in step)."""
        h, c, m = orm.households, orm.cases, orm.communities
        fresh: dict[tuple, int] = {}
        rows = self.conn.execute(
            sa.select(
                h.c.case_id,
                h.c.house_status,
                h.c.agreed_to_move,
                h.c.finished_on,
                c.c.programme,
                m.c.district_en,
                m.c.district_th,
            ).select_from(h.join(c, h.c.case_id == c.c.id).join(m, c.c.community_id == m.c.id))
        )
        for case_id, status, agreed, finished_on, programme, district_en, district_th in rows:
            probe = Household(
                case_id=case_id,
                household_no=0,
                house_status=status,
                agreed_to_move=agreed,
                finished_on=finished_on,
            )
            for key in _tally_keys(probe, (programme, district_en, district_th)):
                fresh[key] = fresh.get(key, 0) + 1
        kept = {}
        for row in self.conn.execute(sa.select(orm.household_tallies)):
            kept[("case", row[0], row[1], bool(row[2]))] = row[3]
        for row in self.conn.execute(sa.select(orm.district_tallies)):
            kept[("district", row[0], row[1], row[2], row[3], bool(row[4]))] = row[5]
        for row in self.conn.execute(sa.select(orm.finished_tallies)):
            kept[("finished", row[0], row[1])] = row[2]
        return sorted(set(fresh.items()) ^ set(kept.items()), key=str)

    # -- communities --------------------------------------------------------
    def add_communities(self, items: list[Community]) -> None:
        if items:
            self.conn.execute(orm.communities.insert(), [_values(c, exclude=()) for c in items])
            self.touch()

    def get_community(self, community_id: str) -> Community:
        row = _rows_where(self.conn, "communities", "id", community_id).first()
        if row is None:
            raise NotFound(f"no community {community_id!r}", f"ไม่มีชุมชน {community_id!r}")
        return _row_to(Community, row)

    def list_communities(self) -> list[Community]:
        rows = self.conn.execute(sa.select(orm.communities).order_by(orm.communities.c.id))
        return [_row_to(Community, r) for r in rows]

    def community_ids(self) -> set[str]:
        return set(self.conn.execute(sa.select(orm.communities.c.id)).scalars())

    def community_ids_with_cases(self, *, programme: str | None = None) -> set[str]:
        """Communities that have a case (of `programme`, when given)."""
        c = orm.cases
        query = sa.select(c.c.community_id).distinct()
        if programme:
            query = query.where(c.c.programme == programme)
        return set(self.conn.execute(query).scalars())

    # -- cases ----------------------------------------------------------------
    def add_case(self, case: Case, programme: str) -> Case:
        values = _values(case)
        values["programme"] = programme
        case.id = self.conn.execute(orm.cases.insert().values(**values)).inserted_primary_key[0]
        self.touch()
        return case

    def add_cases(self, items: list[tuple[Case, str]]) -> None:
        """Bulk insert (sample and benchmark loading); ids are not read back."""
        rows = []
        for case, programme in items:
            values = _values(case, exclude=())
            values["programme"] = programme
            rows.append(values)
        if rows:
            self.conn.execute(orm.cases.insert(), rows)
            self.touch()

    def get_case(self, case_id: int) -> Case:
        row = _rows_where(self.conn, "cases", "id", case_id).first()
        if row is None:
            raise NotFound(f"no case {case_id}", f"ไม่มีกรณีหมายเลข {case_id}")
        return _row_to(Case, row)

    def get_case_by_ref(self, ref: str) -> Case:
        row = self.conn.execute(sa.select(orm.cases).where(orm.cases.c.ref == ref)).first()
        if row is None:
            raise NotFound(f"no case {ref!r}", f"ไม่มีกรณี {ref!r}")
        return _row_to(Case, row)

    def _update_versioned(
        self, table, obj, expected_version: int, label: str, *, touch: bool = True
    ) -> None:
        """Update `obj` if its row still has `expected_version`; `touch=False` where the
        dashboard shows nothing of the row (households count through their tallies)."""
        values = _values(obj, exclude=("id", "version"))
        result = self.conn.execute(
            table.update()
            .where(table.c.id == obj.id, table.c.version == expected_version)
            .values(**values, version=expected_version + 1)
        )
        if result.rowcount != 1:
            current = self.conn.execute(
                sa.select(table.c.version).where(table.c.id == obj.id)
            ).scalar()
            if current is None:
                raise NotFound(
                    f"no {label} {obj.id}", f"ไม่มี{_LABELS_TH.get(label, label)} {obj.id}"
                )
            label_th = _LABELS_TH.get(label, label)
            raise StaleVersion(
                f"{label} {obj.id} was changed by someone else (version {current}, you had "
                f"{expected_version}); reload and try again",
                f"มีผู้อื่นแก้ไข{label_th}นี้แล้ว (ฉบับที่ {current} แต่คุณแก้จากฉบับที่ {expected_version}) "
                "กรุณาโหลดใหม่แล้วลองอีกครั้ง",
                current_version=current,
            )
        obj.version = expected_version + 1
        if touch:
            self.touch()

    def update_case(self, case: Case, expected_version: int) -> None:
        self._update_versioned(orm.cases, case, expected_version, "case")

    def list_cases(
        self,
        *,
        programme: str | None = None,
        district: str | None = None,
        stage: str | None = None,
        community_id: str | None = None,
        search: str | None = None,
        stalled_before: dict[tuple, date] | None = None,
        province: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[dict], int]:
        """Cases with their community and household counts, and the total matching;
        `province` is a DOPA code; `stalled_before` as in `case_stage_rows`."""
        c, m = orm.cases, orm.communities
        where = []
        if programme:
            where.append(c.c.programme == programme)
        if province:
            where.append(m.c.province_code == province)
        if district:
            where.append(m.c.district_en == district)
        if stage:
            where.append(c.c.stage == stage)
        if community_id:
            where.append(c.c.community_id == community_id)
        if stalled_before is not None:
            where.append(_entered_before(stalled_before))
        if search:
            where.append(
                _contains(search, c.c.ref, c.c.title_th, c.c.title_en, m.c.name_th, m.c.name_en)
            )
        joined = c.join(m, c.c.community_id == m.c.id)
        total = self.conn.execute(
            sa.select(sa.func.count()).select_from(joined).where(*where)
        ).scalar()
        query = (
            sa.select(
                c.c.id,
                c.c.ref,
                c.c.case_type,
                c.c.programme,
                c.c.variant,
                c.c.title_th,
                c.c.title_en,
                c.c.stage,
                c.c.stage_entered_on,
                c.c.hold_reason,
                c.c.version,
                c.c.community_id,
                m.c.name_th.label("community_th"),
                m.c.name_en.label("community_en"),
                m.c.district_en,
                m.c.district_th,
            )
            .select_from(joined)
            .where(*where)
            .order_by(c.c.ref)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = [dict(r._mapping) for r in self.conn.execute(query)]
        return rows, total

    # -- search (cases.services.search checks roles and bounds the text) ---------
    def search_cases(
        self, text: str, *, community_id: str | None = None, limit: int = 10
    ) -> list[dict]:
        """Cases whose ref, title or community name holds `text` (up to `limit`)."""
        c, m = orm.cases, orm.communities
        query = (
            sa.select(
                c.c.id,
                c.c.ref,
                c.c.title_th,
                c.c.title_en,
                c.c.community_id,
                m.c.name_th.label("community_th"),
                m.c.name_en.label("community_en"),
            )
            .select_from(c.join(m, c.c.community_id == m.c.id))
            .where(_contains(text, c.c.ref, c.c.title_th, c.c.title_en, m.c.name_th, m.c.name_en))
            .order_by(c.c.ref)
            .limit(limit)
        )
        if community_id is not None:
            query = query.where(c.c.community_id == community_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def search_communities(
        self, text: str, *, community_id: str | None = None, limit: int = 10
    ) -> list[dict]:
        """Communities whose id (code) or name holds `text`, with their DOPA district."""
        m = orm.communities
        query = (
            sa.select(
                m.c.id,
                m.c.name_th,
                m.c.name_en,
                m.c.district_th,
                m.c.district_en,
                m.c.province_th,
                m.c.province_code,
                m.c.district_code,
            )
            .where(_contains(text, m.c.id, m.c.name_th, m.c.name_en))
            .order_by(m.c.id)
            .limit(limit)
        )
        if community_id is not None:
            query = query.where(m.c.id == community_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def search_households(
        self,
        text: str,
        *,
        household_no: int | None = None,
        community_id: str | None = None,
        limit: int = 10,
    ) -> list[dict]:
        """Households whose head's name or house code (structure id) holds `text`, or
        whose number is `household_no`. Never the national ID, phone or address."""
        h, c, m = orm.households, orm.cases, orm.communities
        matches = [_contains(text, h.c.head_name, h.c.structure_id)]
        if household_no is not None:
            matches.append(h.c.household_no == household_no)
        query = (
            sa.select(
                h.c.id,
                h.c.case_id,
                h.c.household_no,
                h.c.head_name,
                h.c.structure_id,
                c.c.ref.label("case_ref"),
                c.c.community_id,
                m.c.name_th.label("community_th"),
                m.c.name_en.label("community_en"),
            )
            .select_from(h.join(c, h.c.case_id == c.c.id).join(m, c.c.community_id == m.c.id))
            .where(sa.or_(*matches))
            .order_by(c.c.ref, h.c.household_no)
            .limit(limit)
        )
        if community_id is not None:
            query = query.where(c.c.community_id == community_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def household_counts(self, case_ids: list[int]) -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {}
        if not case_ids:
            return counts
        rows = self.conn.execute(_household_counts(), {"case_ids": list(case_ids)})
        for case_id, status, agreed, n in rows:
            item = counts.setdefault(case_id, {"households": 0, "agreed": 0})
            item["households"] += n
            item["agreed"] += n if agreed else 0
            item[status] = item.get(status, 0) + n
        return counts

    # -- households -----------------------------------------------------------
    def add_household(
        self, household: Household, *, tallies: list[Household] | None = None
    ) -> Household:
        """Insert `household` and count it in the tallies; with `tallies` (a bulk import)
        what it counts in now is appended to that list instead, for one
        `count_households(tallies)` later in the same transaction."""
        household.id = self.conn.execute(
            orm.households.insert(), _values(household)
        ).inserted_primary_key[0]
        if tallies is not None:
            tallies.append(
                Household(
                    case_id=household.case_id,
                    household_no=household.household_no,
                    house_status=household.house_status,
                    agreed_to_move=household.agreed_to_move,
                    finished_on=household.finished_on,
                )
            )
            return household
        deltas: dict[tuple, int] = {}
        self._count_into(deltas, [household])
        self._bump_tallies(deltas)
        return household

    def count_households(self, added: list[Household]) -> None:
        """Count in the tallies the households gathered by `add_household(..., tallies=)`."""
        if added:
            deltas: dict[tuple, int] = {}
            self._count_into(deltas, added)
            self._bump_tallies(deltas)

    def add_households(self, items: list[Household]) -> None:
        if items:
            self.conn.execute(orm.households.insert(), [_values(h) for h in items])
            deltas: dict[tuple, int] = {}
            self._count_into(deltas, items)
            self._bump_tallies(deltas)

    def get_household(self, household_id: int) -> Household:
        row = _rows_where(self.conn, "households", "id", household_id).first()
        if row is None:
            raise NotFound(f"no household {household_id}", f"ไม่มีครัวเรือนหมายเลข {household_id}")
        return _row_to(Household, row)

    def update_household(self, household: Household, expected_version: int) -> None:
        before = self.get_household(household.id)
        self._update_versioned(
            orm.households, household, expected_version, "household", touch=False
        )
        deltas: dict[tuple, int] = {}
        self._count_into(deltas, [before], -1)
        self._count_into(deltas, [household], +1)
        self._bump_tallies(deltas)

    def list_households(self, case_id: int) -> list[Household]:
        rows = _rows_where(self.conn, "households", "case_id", case_id, "household_no")
        return [_row_to(Household, r) for r in rows]

    def next_household_no(self, case_id: int) -> int:
        h = orm.households
        current = self.conn.execute(
            sa.select(sa.func.max(h.c.household_no)).where(h.c.case_id == case_id)
        ).scalar()
        return (current or 0) + 1

    # -- members, survey submissions and conflicts (the household register) -------
    def list_members(self, household_id: int) -> list[Member]:
        m = orm.household_members
        rows = self.conn.execute(
            sa.select(m).where(m.c.household_id == household_id).order_by(m.c.member_no)
        )
        return [_row_to(Member, r) for r in rows]

    def members_of_case(self, case_id: int) -> dict[int, list[Member]]:
        m, h = orm.household_members, orm.households
        rows = self.conn.execute(
            sa.select(m)
            .join(h, m.c.household_id == h.c.id)
            .where(h.c.case_id == case_id)
            .order_by(m.c.household_id, m.c.member_no)
        )
        out: dict[int, list[Member]] = {}
        for row in rows:
            member = _row_to(Member, row)
            out.setdefault(member.household_id, []).append(member)
        return out

    def replace_members(self, household_id: int, members: list[Member]) -> None:
        m = orm.household_members
        self.conn.execute(m.delete().where(m.c.household_id == household_id))
        if members:
            for no, member in enumerate(members, start=1):
                member.household_id, member.member_no = household_id, no
            self.conn.execute(m.insert(), [_values(x) for x in members])

    def submitted_instance_ids(self, instance_ids: list[str]) -> dict[str, SurveySubmission]:
        """The submissions already imported among `instance_ids`, by instance id."""
        t = orm.survey_submissions
        out = {}
        ids = list(instance_ids)
        for start in range(0, len(ids), 500):
            rows = self.conn.execute(
                sa.select(t).where(t.c.instance_id.in_(ids[start : start + 500]))
            )
            for row in rows:
                out[row.instance_id] = _row_to(SurveySubmission, row)
        return out

    def add_submission(self, submission: SurveySubmission) -> SurveySubmission:
        submission.id = self.conn.execute(
            orm.survey_submissions.insert(), _values(submission)
        ).inserted_primary_key[0]
        return submission

    def list_submissions(self, case_id: int) -> list[SurveySubmission]:
        rows = _rows_where(self.conn, "survey_submissions", "case_id", case_id, "id")
        return [_row_to(SurveySubmission, r) for r in rows]

    def last_survey_values(self, case_id: int) -> dict[int, dict]:
        """Household id → the register values its latest applied submission carried."""
        t = orm.survey_submissions
        rows = self.conn.execute(
            sa.select(t.c.household_id, t.c["values"])
            .where(
                t.c.case_id == case_id,
                t.c.household_id.is_not(None),
                t.c.status.in_(("new", "updated", "conflict", "unchanged")),
            )
            .order_by(t.c.id)
        )
        return {household_id: values for household_id, values in rows}

    def add_conflict(self, conflict: SurveyConflict) -> SurveyConflict:
        conflict.id = self.conn.execute(
            orm.survey_conflicts.insert(), _values(conflict)
        ).inserted_primary_key[0]
        return conflict

    def list_conflicts(self, case_id: int, *, open_only: bool = True) -> list[SurveyConflict]:
        rows = self.conn.execute(_conflicts_of_case(open_only), {"case_id": case_id})
        return [_row_to(SurveyConflict, r) for r in rows]

    def get_conflict(self, conflict_id: int) -> SurveyConflict:
        t = orm.survey_conflicts
        row = self.conn.execute(sa.select(t).where(t.c.id == conflict_id)).first()
        if row is None:
            raise NotFound(f"no survey conflict {conflict_id}", f"ไม่มีข้อขัดแย้งหมายเลข {conflict_id}")
        return _row_to(SurveyConflict, row)

    def resolve_conflict(self, conflict: SurveyConflict) -> None:
        t = orm.survey_conflicts
        self.conn.execute(
            t.update()
            .where(t.c.id == conflict.id)
            .values(
                resolved=conflict.resolved,
                resolved_by=conflict.resolved_by,
                resolved_at=conflict.resolved_at,
            )
        )

    def list_household_documents(self, household_id: int) -> list[Document]:
        d = orm.documents
        rows = self.conn.execute(
            sa.select(d).where(d.c.household_id == household_id).order_by(d.c.id)
        )
        return [_row_to(Document, r) for r in rows]

    # -- erasure (cases/services/erasure.py) ------------------------------------------
    def submissions_of_household(self, household_id: int) -> list[SurveySubmission]:
        t = orm.survey_submissions
        rows = self.conn.execute(
            sa.select(t).where(t.c.household_id == household_id).order_by(t.c.id)
        )
        return [_row_to(SurveySubmission, r) for r in rows]

    def set_submission_values(self, submission_id: int, values: dict, reason: dict) -> None:
        t = orm.survey_submissions
        self.conn.execute(
            t.update().where(t.c.id == submission_id).values({"values": values, "reason": reason})
        )

    def delete_conflicts_of_household(self, household_id: int, fields=None) -> None:
        """Its survey conflicts (open and resolved), or only those of `fields`."""
        t = orm.survey_conflicts
        where = [t.c.household_id == household_id]
        if fields is not None:
            where.append(t.c.field.in_(list(fields)))
        self.conn.execute(t.delete().where(*where))

    def audit_about(self, household_id: int, document_ids, request_ids=()) -> list[AuditEntry]:
        """The audit entries about a household, these documents and these requests of the
        register, oldest first."""
        a = orm.audit_log
        about = a.c.entity == "household"
        about = sa.and_(about, a.c.entity_id == str(household_id))
        for entity, keys in (("document", document_ids), ("pdpa request", request_ids)):
            ids = [str(i) for i in keys]
            if ids:
                about = sa.or_(about, sa.and_(a.c.entity == entity, a.c.entity_id.in_(ids)))
        rows = self.conn.execute(sa.select(a).where(about).order_by(a.c.id))
        return [_row_to(AuditEntry, r) for r in rows]

    def set_audit_snapshots(self, entry_id: int, before, after) -> None:
        a = orm.audit_log
        self.conn.execute(a.update().where(a.c.id == entry_id).values(before=before, after=after))

    def redact_consent_events(self, household_id: int) -> None:
        """The ledger keeps what was agreed and when, not who signed or the notes."""
        c = orm.consent_events
        self.conn.execute(
            c.update().where(c.c.household_id == household_id).values(taken_by="", note="")
        )

    def redact_request_notes(self, household_id: int) -> None:
        r = orm.pdpa_requests
        self.conn.execute(r.update().where(r.c.household_id == household_id).values(note=""))

    def delete_documents(self, document_ids) -> None:
        """Document rows and every reference to them (consent lines, stage events)."""
        ids = sorted(set(document_ids))
        if not ids:
            return
        c, e, d = orm.consent_events, orm.stage_events, orm.documents
        self.conn.execute(c.update().where(c.c.document_id.in_(ids)).values(document_id=None))
        case_ids = {
            row.case_id for row in self.conn.execute(sa.select(d.c.case_id).where(d.c.id.in_(ids)))
        }
        gone = set(ids)
        rows = self.conn.execute(
            sa.select(e.c.id, e.c.document_ids).where(e.c.case_id.in_(sorted(case_ids)))
        )
        for event_id, linked in list(rows):
            kept = [i for i in (linked or []) if i not in gone]
            if kept != list(linked or []):
                self.conn.execute(e.update().where(e.c.id == event_id).values(document_ids=kept))
        self.conn.execute(d.delete().where(d.c.id.in_(ids)))

    def document_named_by_others(self, document_id: int, household_id: int) -> bool:
        """Another household's consent line or the document's own household names it."""
        c, d = orm.consent_events, orm.documents
        other_line = self.conn.execute(
            sa.select(c.c.id)
            .where(c.c.document_id == document_id, c.c.household_id != household_id)
            .limit(1)
        ).first()
        owner = self.conn.execute(sa.select(d.c.household_id).where(d.c.id == document_id)).scalar()
        return other_line is not None or owner not in (None, household_id)

    def document_hash_in_use(self, sha256: str) -> bool:
        d = orm.documents
        return (
            self.conn.execute(sa.select(d.c.id).where(d.c.sha256 == sha256).limit(1)).first()
            is not None
        )

    def cases_at_stages(self, stages) -> list[Case]:
        c = orm.cases
        rows = self.conn.execute(
            sa.select(c).where(c.c.stage.in_(sorted(set(stages)))).order_by(c.c.id)
        )
        return [_row_to(Case, r) for r in rows]

    def household_document_hashes(self, case_id: int) -> dict[int, set[str]]:
        """Household id → the sha256 of its documents, for every household of the case."""
        d, h = orm.documents, orm.households
        rows = self.conn.execute(
            sa.select(d.c.household_id, d.c.sha256)
            .join(h, d.c.household_id == h.c.id)
            .where(h.c.case_id == case_id)
        )
        out: dict[int, set[str]] = {}
        for household_id, sha256 in rows:
            out.setdefault(household_id, set()).add(sha256)
        return out

    # -- plots ----------------------------------------------------------------
    def add_plot(self, plot: Plot) -> Plot:
        plot.id = self.conn.execute(
            orm.plots.insert().values(**_values(plot))
        ).inserted_primary_key[0]
        return plot

    def get_plot(self, plot_id: int) -> Plot:
        row = self.conn.execute(sa.select(orm.plots).where(orm.plots.c.id == plot_id)).first()
        if row is None:
            raise NotFound(f"no plot {plot_id}", f"ไม่มีแปลงหมายเลข {plot_id}")
        return _row_to(Plot, row)

    def update_plot(self, plot: Plot, expected_version: int) -> None:
        self._update_versioned(orm.plots, plot, expected_version, "plot", touch=False)

    def delete_plot(self, plot_id: int) -> None:
        self.conn.execute(orm.plots.delete().where(orm.plots.c.id == plot_id))

    def list_plots(self, case_id: int) -> list[Plot]:
        rows = _rows_where(self.conn, "plots", "case_id", case_id, "plot_no")
        return [_row_to(Plot, r) for r in rows]

    def add_plots(self, items: list[Plot]) -> None:
        """Insert many plots at once (ids are not read back)."""
        if items:
            self.conn.execute(orm.plots.insert(), [_values(p) for p in items])

    def delete_plots_of_case(self, case_id: int) -> None:
        self.conn.execute(orm.plots.delete().where(orm.plots.c.case_id == case_id))

    # -- layout decisions -----------------------------------------------------
    def add_layout_decision(self, decision: LayoutDecision) -> LayoutDecision:
        decision.id = self.conn.execute(
            orm.layout_decisions.insert().values(**_values(decision))
        ).inserted_primary_key[0]
        return decision

    def list_layout_decisions(self, case_id: int) -> list[LayoutDecision]:
        """A case's layout decisions, the latest first."""
        rows = _rows_where(self.conn, "layout_decisions", "case_id", case_id, "id desc")
        return [_row_to(LayoutDecision, r) for r in rows]

    # -- documents ------------------------------------------------------------
    def add_document(self, document: Document) -> Document:
        document.id = self.conn.execute(
            orm.documents.insert(), _values(document)
        ).inserted_primary_key[0]
        return document

    def get_document(self, document_id: int) -> Document:
        row = self.conn.execute(
            sa.select(orm.documents).where(orm.documents.c.id == document_id)
        ).first()
        if row is None:
            raise NotFound(f"no document {document_id}", f"ไม่มีเอกสารหมายเลข {document_id}")
        return _row_to(Document, row)

    def list_documents(self, case_id: int) -> list[Document]:
        rows = _rows_where(self.conn, "documents", "case_id", case_id, "id")
        return [_row_to(Document, r) for r in rows]

    def link_documents(self, document_ids: list[int], stage_event_id: int) -> None:
        if document_ids:
            self.conn.execute(
                orm.documents.update()
                .where(orm.documents.c.id.in_(document_ids))
                .values(stage_event_id=stage_event_id)
            )

    # -- budget ---------------------------------------------------------------
    def add_budget_line(self, line: BudgetLine) -> BudgetLine:
        line.id = self.conn.execute(
            orm.budget_lines.insert().values(**_values(line))
        ).inserted_primary_key[0]
        return line

    def get_budget_line(self, line_id: int) -> BudgetLine:
        row = self.conn.execute(
            sa.select(orm.budget_lines).where(orm.budget_lines.c.id == line_id)
        ).first()
        if row is None:
            raise NotFound(f"no budget line {line_id}", f"ไม่มีรายการงบประมาณ {line_id}")
        return _row_to(BudgetLine, row)

    def update_budget_line(self, line: BudgetLine, expected_version: int) -> None:
        self._update_versioned(orm.budget_lines, line, expected_version, "budget line", touch=False)

    def list_budget_lines(self, case_id: int) -> list[BudgetLine]:
        rows = _rows_where(self.conn, "budget_lines", "case_id", case_id, "id")
        return [_row_to(BudgetLine, r) for r in rows]

    # -- stage events ---------------------------------------------------------
    def add_event(self, event: StageEvent) -> StageEvent:
        event.id = self.conn.execute(
            orm.stage_events.insert().values(**_values(event))
        ).inserted_primary_key[0]
        return event

    def add_events(self, items: list[StageEvent]) -> None:
        if items:
            self.conn.execute(orm.stage_events.insert(), [_values(e) for e in items])

    def list_events(self, case_id: int) -> list[StageEvent]:
        rows = _rows_where(self.conn, "stage_events", "case_id", case_id, "on", "id")
        return [_row_to(StageEvent, r) for r in rows]

    # -- users ----------------------------------------------------------------
    def add_user(self, user: User) -> User:
        user.id = self.conn.execute(
            orm.users.insert().values(**_values(user))
        ).inserted_primary_key[0]
        return user

    def get_user(self, username: str) -> User | None:
        row = self.conn.execute(
            sa.select(orm.users).where(orm.users.c.username == username)
        ).first()
        return _row_to(User, row) if row else None

    def list_users(self) -> list[User]:
        return [
            _row_to(User, r)
            for r in self.conn.execute(sa.select(orm.users).order_by(orm.users.c.username))
        ]

    def update_user(self, user: User) -> None:
        """Write a user's password hash, role, community, name, active flag and last login."""
        self.conn.execute(
            orm.users.update()
            .where(orm.users.c.id == user.id)
            .values(**_values(user, exclude=("id", "username")))
        )

    # -- login sessions -------------------------------------------------------
    def add_session(self, login: LoginSession) -> LoginSession:
        login.id = self.conn.execute(
            orm.sessions.insert().values(**_values(login))
        ).inserted_primary_key[0]
        return login

    def get_session(self, token_hash: str) -> tuple[LoginSession, User] | None:
        """The session with this hash and its user, in one query."""
        row = self.conn.execute(_session_by_hash(), {"token_hash": token_hash}).first()
        if row is None:
            return None
        m = row._mapping
        user = User(**{f.name: m[f"u_{f.name}"] for f in fields(User)})
        return _row_to(LoginSession, row), user

    def touch_session(self, session_id: int, at) -> None:
        self.conn.execute(
            orm.sessions.update().where(orm.sessions.c.id == session_id).values(last_seen_at=at)
        )

    def end_session(self, session_id: int, at) -> None:
        s = orm.sessions
        self.conn.execute(
            s.update().where(s.c.id == session_id, s.c.ended_at.is_(None)).values(ended_at=at)
        )

    def end_sessions_of(self, user_id: int, at) -> int:
        """End every open session of a user; how many were open."""
        s = orm.sessions
        return self.conn.execute(
            s.update().where(s.c.user_id == user_id, s.c.ended_at.is_(None)).values(ended_at=at)
        ).rowcount

    def delete_sessions_before(self, before) -> None:
        """Forget sessions that began before `before` (all long over)."""
        self.conn.execute(orm.sessions.delete().where(orm.sessions.c.created_at < before))

    # -- audit ----------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> None:
        self.conn.execute(orm.audit_log.insert(), _values(entry))

    def add_many(self, items: list) -> None:
        """Insert members, documents, submissions or audit entries in one statement per
        kind (ids are not read back): what a bulk import gathers and writes at its end."""
        tables = {
            Member: orm.household_members,
            Document: orm.documents,
            SurveySubmission: orm.survey_submissions,
            AuditEntry: orm.audit_log,
            ConsentEvent: orm.consent_events,
            ReadEntry: orm.read_log,
        }
        by_table: dict = {}
        for item in items:
            by_table.setdefault(tables[type(item)], []).append(_values(item))
        for table, rows in by_table.items():
            self.conn.execute(table.insert(), rows)

    def list_audit(
        self, *, entity: str | None = None, entity_id: str | None = None, limit: int = 200
    ):
        a = orm.audit_log
        query = sa.select(a).order_by(a.c.id.desc()).limit(limit)
        if entity:
            query = query.where(a.c.entity == entity)
        if entity_id is not None:
            query = query.where(a.c.entity_id == str(entity_id))
        return [_row_to(AuditEntry, r) for r in self.conn.execute(query)]

    # -- PDPA: the consent ledger, the read log, the breach register ------------
    def add_consent_event(self, event: ConsentEvent) -> ConsentEvent:
        event.id = self.conn.execute(
            orm.consent_events.insert(), _values(event)
        ).inserted_primary_key[0]
        return event

    def list_consent_events(self, household_id: int) -> list[ConsentEvent]:
        """A household's ledger in the order it happened (day, then as recorded)."""
        t = orm.consent_events
        rows = self.conn.execute(
            sa.select(t).where(t.c.household_id == household_id).order_by(t.c.on, t.c.id)
        )
        return [_row_to(ConsentEvent, r) for r in rows]

    def add_reads(self, entries: list[ReadEntry]) -> None:
        """Many reads in one statement."""
        if entries:
            self.conn.execute(orm.read_log.insert(), [_values(e) for e in entries])

    def list_reads(
        self, *, household_id: int | None = None, username: str | None = None, limit: int = 200
    ) -> list[ReadEntry]:
        """Reads of personal data, the latest first."""
        t = orm.read_log
        query = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if household_id is not None:
            query = query.where(t.c.household_id == household_id)
        if username is not None:
            query = query.where(t.c.username == username)
        return [_row_to(ReadEntry, r) for r in self.conn.execute(query)]

    def add_breach(self, breach: Breach) -> Breach:
        breach.id = self.conn.execute(orm.breaches.insert(), _values(breach)).inserted_primary_key[
            0
        ]
        return breach

    def get_breach(self, breach_id: int) -> Breach:
        row = self.conn.execute(
            sa.select(orm.breaches).where(orm.breaches.c.id == breach_id)
        ).first()
        if row is None:
            raise NotFound(f"no breach {breach_id}", f"ไม่มีเหตุละเมิดหมายเลข {breach_id}")
        return _row_to(Breach, row)

    def update_breach(self, breach: Breach) -> None:
        self.conn.execute(
            orm.breaches.update().where(orm.breaches.c.id == breach.id).values(**_values(breach))
        )

    def list_breaches(self) -> list[Breach]:
        """Every breach, the latest detected first."""
        t = orm.breaches
        rows = self.conn.execute(sa.select(t).order_by(t.c.detected_at.desc(), t.c.id.desc()))
        return [_row_to(Breach, r) for r in rows]

    def add_request(self, item: SubjectRequest) -> SubjectRequest:
        item.id = self.conn.execute(orm.pdpa_requests.insert(), _values(item)).inserted_primary_key[
            0
        ]
        return item

    def get_request(self, request_id: int) -> SubjectRequest:
        t = orm.pdpa_requests
        row = self.conn.execute(sa.select(t).where(t.c.id == request_id)).first()
        if row is None:
            raise NotFound(f"no request {request_id}", f"ไม่มีคำขอหมายเลข {request_id}")
        return _row_to(SubjectRequest, row)

    def update_request(self, item: SubjectRequest) -> None:
        t = orm.pdpa_requests
        self.conn.execute(t.update().where(t.c.id == item.id).values(**_values(item)))

    def list_requests(self, *, household_id: int | None = None) -> list[SubjectRequest]:
        """Every request (or those naming one household), the latest received first."""
        t = orm.pdpa_requests
        query = sa.select(t).order_by(t.c.received_on.desc(), t.c.id.desc())
        if household_id is not None:
            query = query.where(t.c.household_id == household_id)
        rows = self.conn.execute(query)
        return [_row_to(SubjectRequest, r) for r in rows]

    # -- dashboard aggregates -------------------------------------------------
    def progress_rows(self, *, programme: str | None = None, community_id: str | None = None):
        """(district_en, district_th, programme, house_status, agreed, count) over all households."""
        if community_id is None:
            d = orm.district_tallies
            query = sa.select(
                d.c.district_en,
                d.c.district_th,
                d.c.programme,
                d.c.house_status,
                d.c.agreed_to_move,
                d.c.n,
            ).where(d.c.n != 0)
            if programme:
                query = query.where(d.c.programme == programme)
            return [tuple(r) for r in self.conn.execute(query)]
        t, c, m = orm.household_tallies, orm.cases, orm.communities
        query = (
            sa.select(
                m.c.district_en,
                m.c.district_th,
                c.c.programme,
                t.c.house_status,
                t.c.agreed_to_move,
                sa.func.sum(t.c.n),
            )
            .select_from(t.join(c, t.c.case_id == c.c.id).join(m, c.c.community_id == m.c.id))
            .where(c.c.community_id == community_id)
            .group_by(
                m.c.district_en,
                m.c.district_th,
                c.c.programme,
                t.c.house_status,
                t.c.agreed_to_move,
            )
        )
        if programme:
            query = query.where(c.c.programme == programme)
        return [tuple(r) for r in self.conn.execute(query)]

    def district_provinces(self) -> dict[str, frozenset[str]]:
        """The provinces (DOPA codes) of each of the communities' districts (district_en):
        one name may stand in several provinces."""
        m = orm.communities
        query = sa.select(m.c.district_en, m.c.province_code).distinct()
        found: dict[str, set[str]] = {}
        for district, province in self.conn.execute(query):
            if province:
                found.setdefault(district, set()).add(province)
        return {district: frozenset(codes) for district, codes in found.items()}

    def districts_in_province(self, province_code: str) -> set[str]:
        """The communities' district names (district_en) in one province (DOPA code)."""
        m = orm.communities
        query = sa.select(m.c.district_en).where(m.c.province_code == province_code).distinct()
        return {r[0] for r in self.conn.execute(query)}

    def area_rows(self, *, programme: str | None = None, community_id: str | None = None):
        """(province_code, district_code, house_status, agreed, count) over all households:
        the per-case tallies summed by the communities' DOPA codes (one row a case and
        status at most is read, never a household)."""
        t, c, m = orm.household_tallies, orm.cases, orm.communities
        keys = (m.c.province_code, m.c.district_code, t.c.house_status, t.c.agreed_to_move)
        query = (
            sa.select(*keys, sa.func.sum(t.c.n))
            .select_from(t.join(c, t.c.case_id == c.c.id).join(m, c.c.community_id == m.c.id))
            .group_by(*keys)
        )
        if programme:
            query = query.where(c.c.programme == programme)
        if community_id:
            query = query.where(c.c.community_id == community_id)
        return [tuple(r) for r in self.conn.execute(query)]

    def area_case_counts(self, *, programme: str | None = None, community_id: str | None = None):
        """(province_code, district_code, communities, cases) by the communities' DOPA codes."""
        c, m = orm.cases, orm.communities
        keys = (m.c.province_code, m.c.district_code)
        query = (
            sa.select(*keys, sa.func.count(sa.distinct(m.c.id)), sa.func.count(c.c.id))
            .select_from(c.join(m, c.c.community_id == m.c.id))
            .group_by(*keys)
        )
        if programme:
            query = query.where(c.c.programme == programme)
        if community_id:
            query = query.where(c.c.community_id == community_id)
        return [tuple(r) for r in self.conn.execute(query)]

    def case_stage_rows(
        self, *, community_id: str | None = None, entered_before: dict[tuple, date] | None = None
    ):
        """Cases' id, ref, type, stage, entry date and hold reason. With `entered_before`
        ({(case_type, stage): date}), only cases that entered such a stage before its date."""
        c, m = orm.cases, orm.communities
        query = sa.select(
            c.c.id,
            c.c.ref,
            c.c.case_type,
            c.c.programme,
            c.c.stage,
            c.c.stage_entered_on,
            c.c.hold_reason,
            c.c.title_th,
            c.c.title_en,
            m.c.district_en,
            m.c.district_th,
        ).select_from(c.join(m, c.c.community_id == m.c.id))
        if community_id:
            query = query.where(c.c.community_id == community_id)
        if entered_before is not None:
            query = query.where(_entered_before(entered_before))
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def finished_by_month(self, *, programme: str | None = None) -> list[tuple[str, int]]:
        t = orm.finished_tallies
        query = sa.select(t.c.finished_month, sa.func.sum(t.c.n)).group_by(t.c.finished_month)
        if programme:
            query = query.where(t.c.programme == programme)
        return [
            (month, int(n)) for month, n in self.conn.execute(query.order_by(t.c.finished_month))
        ]

    def finished_by_month_for_community(
        self, community_id: str, *, programme: str | None = None
    ) -> list[tuple[str, int]]:
        """Houses finished per month in one community's cases (a representative's view)."""
        h, c = orm.households, orm.cases
        where = [c.c.community_id == community_id, h.c.finished_on.is_not(None)]
        if programme:
            where.append(c.c.programme == programme)
        rows = self.conn.execute(
            sa.select(h.c.finished_on).select_from(h.join(c, h.c.case_id == c.c.id)).where(*where)
        )
        months: dict[str, int] = {}
        for (finished_on,) in rows:
            key = finished_on.strftime("%Y-%m")
            months[key] = months.get(key, 0) + 1
        return sorted(months.items())
