"""Survey import: a KoBoToolbox or ODK Central export into a case's household register.

One use case for `planner survey import` and the case page: read the export
(gis.importing.survey_files decides its format from its content), turn each
submission into the register's terms, and hand them to
`cases.services.import_survey`, which previews or applies them in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from app.application import words
from cases import register, services
from cases.model import User
from cases.services.surveys import SurveyRecord, SurveyReport
from cases.unit_of_work import UnitOfWork
from gis.importing.survey_files import RawSubmission, photo_for, read_survey_export

_REGISTER_NAMES = {f.name for f in register.HOUSEHOLD_FIELDS if f.kind != "point"}
_MEMBER_NAMES = {f.name for f in register.MEMBER_FIELDS}


def _submitted_at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=None, microsecond=0)


def survey_record(raw: RawSubmission, media: dict[str, bytes]) -> SurveyRecord:
    """One exported submission in the register's terms."""
    fields = raw.fields
    members = [
        {k: v for k, v in row.items() if k in _MEMBER_NAMES}
        for row in raw.repeats.get(register.MEMBERS_REPEAT, [])
    ]
    photos = []
    for name in register.PHOTO_FIELDS:
        filename = (fields.get(name) or "").strip()
        data = photo_for(media, raw.instance_id, filename) if filename else None
        if data:
            photos.append((filename, data))
    location = accuracy = None
    if raw.gps:
        lat, lon, _alt, accuracy = raw.gps
        location = (lon, lat)
    return SurveyRecord(
        row=raw.row,
        instance_id=raw.instance_id,
        form_version=(fields.get(register.FORM_VERSION_FIELD) or "").strip() or None,
        case_ref=(fields.get(register.CASE_REF_FIELD) or "").strip() or None,
        household_no=(fields.get(register.HOUSEHOLD_NO_FIELD) or "").strip() or None,
        values={k: v for k, v in fields.items() if k in _REGISTER_NAMES},
        members=members,
        location=location,
        gps_accuracy=accuracy,
        photos=photos,
        submitted_at=_submitted_at(raw.submitted_at),
    )


def case_structures(layer_store, community_id: str) -> dict[str, Any]:
    """The community's house shapes by structure id (storage CRS), to place a GPS point."""
    if layer_store is None or "structures" not in layer_store.layer_names():
        return {}
    frame = layer_store.read("structures")
    if "structure_id" not in frame.columns:
        return {}
    if "community_id" in frame.columns:
        frame = frame[frame["community_id"] == community_id]
    return {
        str(sid): geom
        for sid, geom in zip(frame["structure_id"], frame.geometry, strict=True)
        if sid and geom is not None
    }


def import_survey_file(
    uow: UnitOfWork,
    user: User,
    case_id: int,
    path: str | Path,
    *,
    apply: bool,
    filename: str | None = None,
    layer_store=None,
    accuracy_m: float = register.GPS_ACCURACY_M,
) -> tuple[SurveyReport, list[dict]]:
    """Preview (`apply=False`) or apply a survey export; the report and the reader's
    warnings ({th, en}). A file that cannot be read raises gis ValidationError."""
    case = services.get_case(uow, user, case_id)
    export = read_survey_export(path, filename=filename)
    records = [survey_record(raw, export.media) for raw in export.submissions]
    structures = case_structures(layer_store, case.community_id)
    report = services.import_survey(
        uow, user, case.id, records, apply=apply, accuracy_m=accuracy_m, structures=structures
    )
    return report, export.warnings


def report_rows(report: SurveyReport, lang: str = "th") -> list[dict]:
    """The report as rows for a page, the CLI or JSON: one per submission."""
    from cases.services.surveys import STATUS_LABELS

    return [
        {
            "row": r.row,
            "instance_id": r.instance_id,
            "status": r.status,
            "status_label": STATUS_LABELS[r.status][lang],
            "household_no": r.household_no,
            "fields": r.fields,
            "reasons": [reason[lang] for reason in r.reasons],
            "gps_flagged": r.gps_flagged,
            "photos": r.photos,
        }
        for r in report.results
    ]


def survey_map(uow: UnitOfWork, user: User, case_id: int, *, layer_store=None) -> dict:
    """Survey progress for the case page: counts for everyone who sees the case; for those
    who see personal data also the community's houses as GeoJSON (lon/lat), each marked
    surveyed or not, and the conflicts waiting for review."""
    progress = services.survey_progress(uow, user, case_id)
    out = {k: v for k, v in progress.items() if k not in ("surveyed_structures", "structures")}
    if out.get("last_import") is not None:
        out["last_import"] = out["last_import"].isoformat()
    if "surveyed_structures" not in progress:
        return out
    case = services.get_case(uow, user, case_id)
    surveyed = set(progress["surveyed_structures"])
    shapes = case_structures(layer_store, case.community_id)
    features = []
    for sid, geom in sorted(shapes.items()):
        features.append(
            {
                "type": "Feature",
                "geometry": services.geometry_to_geojson(geom),
                "properties": {"structure_id": sid, "surveyed": sid in surveyed},
            }
        )
    out["structures"] = {"type": "FeatureCollection", "features": features}
    out["open_conflicts"] = [
        {
            "id": c.id,
            "household_id": c.household_id,
            "field": c.field,
            "field_label": words.words("register_field", c.field),
            "officer_value": c.officer_value,
            # A coded value (a choice, the tenure, yes or no) in words; null otherwise.
            "officer_value_label": words.register_value_words(c.field, c.officer_value),
            "survey_value": c.survey_value,
            "survey_value_label": words.register_value_words(c.field, c.survey_value),
        }
        for c in services.list_conflicts(uow, user, case_id)
    ]
    return out
