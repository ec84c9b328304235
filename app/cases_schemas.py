"""The case tracker API's schemas (marshmallow): what each request may send and how
each answer is shaped, and so the OpenAPI document's components.

Output schemas dump domain objects (dataclasses) or the dicts the services and the
application layer return; input schemas check only the JSON's shape and lengths, and
the services apply the domain rules. The views are in app/cases_api.py.
"""

from __future__ import annotations

import functools
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from datetime import UTC

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_dump,
    validate,
    validates_schema,
)
from shapely.geometry.base import BaseGeometry
from werkzeug.datastructures import FileStorage

from app.application import words
from cases import register, services
from cases.model import (
    EARLIEST_DATE,
    HOUSE_STATUSES,
    LATEST_DATE,
    MAX_BAHT,
    MAX_TEXT,
    MAX_VERSION,
    ROLE_LABELS,
)
from cases.workflow import default_workflows

MAX_INT32 = 2**31 - 1
MAX_PAGE = services.MAX_PAGE
BANGKOK = services.BANGKOK


# -- labels and errors ----------------------------------------------------------------
class LabelSchema(Schema):
    th = fields.String(required=True)
    en = fields.String(required=True)


class MissingSchema(Schema):
    kind = fields.String(
        metadata={"description": "document | field | budget | households_agreed | transition"}
    )
    kind_label = fields.Nested(LabelSchema)
    code = fields.String()
    label = fields.Nested(LabelSchema)


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    en = fields.String(required=True, metadata={"description": "Message in English"})
    th = fields.String(required=True, metadata={"description": "Message in Thai"})
    field = fields.String(metadata={"description": "The input field at fault, if one"})
    field_errors = fields.Dict(
        data_key="fields",
        metadata={"description": "Request validation errors: field -> list of messages"},
    )
    missing = fields.List(
        fields.Nested(MissingSchema),
        metadata={
            "description": "A refused stage move: every missing requirement "
            "(kind: document | field | budget | households_agreed | transition; "
            "code; label {th, en})"
        },
    )
    current_version = fields.Integer(
        metadata={"description": "409: the record's version now; reload it"}
    )
    rule = fields.String(
        metadata={"description": "A drawing rule broken: invalid | outside_site | overlap"}
    )
    plot_no = fields.String(metadata={"description": "The plot refused"})
    other_plot = fields.String(metadata={"description": "The plot it overlaps"})
    spot = fields.Dict(
        allow_none=True,
        metadata={"description": "Where the problem is: a GeoJSON Point in lon/lat, to mark"},
    )
    problems = fields.List(
        fields.Dict(),
        metadata={"description": "Every drawing rule broken: rule, plot_no, en, th, spot"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


# -- fields and common schemas ----------------------------------------------------------
@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclass_fields(cls))


def _record(obj) -> dict:
    """A dataclass (domain object) or a mapping as a plain dict, for dumping."""
    if is_dataclass(obj):
        names = _field_names(obj if isinstance(obj, type) else type(obj))
        return {name: getattr(obj, name) for name in names}
    return dict(obj)


class Record(Schema):
    """Output schema over domain objects or dicts."""

    @pre_dump
    def _as_dict(self, obj, **kwargs):
        return _record(obj)


URL = {"type": "string", "description": "Where this record is, in this API"}
GEOJSON_NOTE = "GeoJSON geometry in EPSG:4326, coordinates [longitude, latitude]"


class GeoJSON(fields.Dict):
    """A GeoJSON geometry: a shapely geometry (EPSG:32647) out, a dict in.

    The services check what comes in (type, validity, inside Thailand) and
    convert it; here only the shape of the JSON is checked."""

    def __init__(self, geometry_types: tuple[str, ...] = (), **kwargs):
        metadata = kwargs.pop("metadata", {})
        types = " or ".join(geometry_types)
        metadata.setdefault("description", f"{GEOJSON_NOTE}{f' ({types})' if types else ''}")
        metadata.setdefault(
            "example",
            {"type": "Point", "coordinates": [100.5567, 13.8621]}
            if geometry_types == ("Point",)
            else {
                "type": "Polygon",
                "coordinates": [
                    [[100.556, 13.862], [100.557, 13.862], [100.557, 13.863], [100.556, 13.862]]
                ],
            },
        )
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, BaseGeometry):
            return services.geometry_to_geojson(value)
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise ValidationError(
                f"must be a {GEOJSON_NOTE}, an object with 'type' and 'coordinates' "
                "/ ต้องเป็นรูปเรขาคณิต GeoJSON (ลองจิจูด, ละติจูด)"
            )
        return value


class UploadField(Upload):
    """A file of a multipart request (documented as a binary string)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("must be a file sent as multipart/form-data / ต้องแนบเป็นไฟล์")
        return value


def _stage_label(case_type: str, stage: str | None) -> dict | None:
    return words.stage_words(case_type, stage)


def _programme(case_type: str) -> str | None:
    try:
        return default_workflows().case_type(case_type).programme
    except KeyError:
        return None


def _words(vocabulary: str, field: str, *, nullable: bool = False, source=None):
    """`<field>_label`: the stored code of `field` in words, {th, en}, from the one list
    of its words (app/application/words.py)."""
    get = source or (lambda d: d.get(field))
    note = "; null when it is null" if nullable else ""
    return fields.Function(
        lambda d: words.words(vocabulary, get(d)),
        allow_none=nullable,
        metadata={"type": "object", "description": f"`{field}` in words: {{th, en}}{note}"},
    )


def _dopa_words(field: str):
    """A DOPA code's area name in Thai and English (geothai); null without a code."""
    return fields.Function(
        lambda d: register.dopa_names(d.get(field)) if d.get(field) else None,
        allow_none=True,
        metadata={"type": "object", "description": f"`{field}`'s area in words: {{th, en}}"},
    )


class IfMatchSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    if_match = fields.String(
        data_key="If-Match",
        metadata={
            "description": 'The version you read, e.g. "3" (instead of `version` in the body)'
        },
    )


def _version_field(**kwargs):
    return fields.Integer(
        validate=validate.Range(
            min=1,
            max=MAX_VERSION,
            error="must be between {min} and {max} / ต้องอยู่ระหว่าง {min} ถึง {max}",
        ),
        metadata=kwargs.pop("metadata", {"description": "The version you read (or send If-Match)"}),
        **kwargs,
    )


def _non_blank(value: str) -> None:
    if not value or not value.strip():
        raise ValidationError("must not be blank / ต้องไม่เว้นว่าง")


def _length(limit: int = MAX_TEXT, minimum: int | None = None):
    return validate.Length(
        min=minimum,
        max=limit,
        error="must be at most {max} characters / ยาวได้ไม่เกิน {max} ตัวอักษร",
    )


def _text(limit: int = MAX_TEXT, **kwargs):
    """A text field, as long as the services allow (the same on create and update)."""
    return fields.String(validate=_length(limit), **kwargs)


def _title(**kwargs):
    return fields.String(validate=[_non_blank, _length()], **kwargs)


def _date(**kwargs):
    """A date within the programmes' range (gis.thaidate)."""
    return fields.Date(
        validate=validate.Range(
            min=EARLIEST_DATE,
            max=LATEST_DATE,
            error="must be between {min} and {max} (B.E. 2500 to 2600) "
            "/ ต้องอยู่ระหว่าง {min} ถึง {max} (พ.ศ. 2500 ถึง 2600)",
        ),
        **kwargs,
    )


def _amount(**kwargs):
    return fields.Integer(
        allow_none=True,
        validate=validate.Range(
            min=0,
            max=MAX_BAHT,
            error="must be whole baht from {min} to {max} / ต้องเป็นจำนวนเต็มบาท {min} ถึง {max}",
        ),
        **kwargs,
    )


def _register_int(**kwargs):
    """A whole number of the register; its bounds are the register's (the service checks)."""
    return fields.Integer(
        allow_none=True,
        validate=validate.Range(
            min=-MAX_INT32,
            max=MAX_INT32,
            error="must be from {min} to {max} / ต้องอยู่ระหว่าง {min} ถึง {max}",
        ),
        **kwargs,
    )


class LocalDateTime(fields.DateTime):
    """A moment stored in UTC (naive), written with its offset in Thai time (+07:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(BANGKOK).isoformat()


# -- schemas: cases ------------------------------------------------------------------
class CaseCountsSchema(Schema):
    households = fields.Integer()
    agreed = fields.Integer()


class CaseSchema(Record):
    id = fields.Integer()
    ref = fields.String()
    community_id = fields.String()
    case_type = fields.String()
    case_type_label = _words("case_type", "case_type")
    programme = fields.Function(
        lambda d: d.get("programme") or _programme(d["case_type"]), metadata={"type": "string"}
    )
    programme_label = _words(
        "programme", "programme", source=lambda d: d.get("programme") or _programme(d["case_type"])
    )
    variant = fields.String(allow_none=True)
    variant_label = fields.Function(
        lambda d: words.variant_words(
            d.get("programme") or _programme(d["case_type"]), d["variant"]
        ),
        allow_none=True,
        metadata={"type": "object", "description": "`variant` in words: {th, en}; null when null"},
    )
    title_th = fields.String()
    title_en = fields.String()
    stage = fields.String()
    stage_label = fields.Function(
        lambda d: _stage_label(d["case_type"], d["stage"]), metadata={"type": "object"}
    )
    stage_entered_on = fields.Date()
    hold_reason = fields.String(allow_none=True)
    hold_reason_label = fields.Function(
        lambda d: words.words("hold_reason", d["hold_reason"]),
        allow_none=True,
        metadata={"type": "object", "description": "null when not on hold"},
    )
    cooperative_name = fields.String(allow_none=True)
    note = fields.String()
    created_on = fields.Date(allow_none=True)
    site = GeoJSON(("Polygon", "MultiPolygon"), allow_none=True)
    version = fields.Integer()
    url = fields.Function(lambda d: url_for("cases_api.get_case", case_id=d["id"]), metadata=URL)


class CaseSummarySchema(Record):
    id = fields.Integer()
    ref = fields.String()
    community_id = fields.String()
    community_th = fields.String()
    community_en = fields.String()
    district_en = fields.String()
    district_th = fields.String()
    case_type = fields.String()
    case_type_label = _words("case_type", "case_type")
    programme = fields.String()
    programme_label = _words("programme", "programme")
    variant = fields.String(allow_none=True)
    variant_label = fields.Function(
        lambda d: words.variant_words(d.get("programme"), d.get("variant")),
        allow_none=True,
        metadata={"type": "object", "description": "`variant` in words: {th, en}; null when null"},
    )
    title_th = fields.String()
    title_en = fields.String()
    stage = fields.String()
    stage_label = fields.Function(
        lambda d: _stage_label(d["case_type"], d["stage"]), metadata={"type": "object"}
    )
    stage_entered_on = fields.Date()
    days_in_stage = fields.Integer()
    stalled = fields.Boolean()
    hold_reason = fields.String(allow_none=True)
    hold_reason_label = fields.Function(
        lambda d: words.words("hold_reason", d["hold_reason"]),
        allow_none=True,
        metadata={"type": "object", "description": "null when not on hold"},
    )
    counts = fields.Nested(CaseCountsSchema)
    version = fields.Integer()
    url = fields.Function(lambda d: url_for("cases_api.get_case", case_id=d["id"]), metadata=URL)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSummarySchema))
    total = fields.Integer(metadata={"description": "Cases matching the filters, all pages"})
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class CaseQuerySchema(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(
            min=1, max=MAX_PAGE, error="must be from {min} to {max} / ต้องอยู่ระหว่าง {min} ถึง {max}"
        ),
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(
            min=1, max=500, error="must be from {min} to {max} / ต้องอยู่ระหว่าง {min} ถึง {max}"
        ),
    )
    programme = _text(100, metadata={"description": "Programme code, e.g. canal_side"})
    district = _text(100, metadata={"description": "District (English name), e.g. Lak Si"})
    stage = _text(100, metadata={"description": "Stage code, e.g. construction"})
    stalled = fields.Boolean(
        load_default=False, metadata={"description": "Only cases longer than allowed in a stage"}
    )
    q = _text(200, metadata={"description": "Search in ref, titles and community names"})


class CaseCreateSchema(Schema):
    community_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    case_type = _text(100, required=True, metadata={"description": "See /api/workflows"})
    title_th = _title(required=True)
    title_en = _text(load_default="")
    variant = _text(100, allow_none=True)
    site = GeoJSON(("Polygon", "MultiPolygon"), allow_none=True)
    on = _date(metadata={"description": "Date the case opens (default today)"})


class CaseUpdateSchema(Schema):
    version = _version_field()
    title_th = _title()
    title_en = _title()
    variant = _text(100, allow_none=True)
    cooperative_name = _text(allow_none=True)
    note = _text()
    hold_reason = _text(
        100,
        allow_none=True,
        metadata={"description": "Put on hold (coded reason) or release (null)"},
    )
    site = GeoJSON(("Polygon", "MultiPolygon"), allow_none=True)


class CommunitySchema(Record):
    id = fields.String()
    name_th = fields.String()
    name_en = fields.String()
    district_en = fields.String()
    district_th = fields.String()
    province_th = fields.String()


class StageEventSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "move | hold | release"})
    kind_label = fields.Nested(LabelSchema)
    from_stage = fields.String(allow_none=True)
    from_stage_label = fields.Nested(LabelSchema, allow_none=True)
    to_stage = fields.String()
    to_stage_label = fields.Nested(LabelSchema)
    on = fields.Date()
    by = fields.String()
    note = fields.String()
    hold_reason = fields.String(allow_none=True)
    hold_reason_label = fields.Nested(LabelSchema, allow_none=True)
    document_ids = fields.List(fields.Integer())


class DocumentSchema(Record):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String()
    kind_label = _words("document_kind", "kind")
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = LocalDateTime()
    stage_event_id = fields.Integer(allow_none=True)
    url = fields.Function(
        lambda d: url_for("cases_api.download_document", document_id=d["id"]), metadata=URL
    )


class BudgetLineSchema(Record):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String()
    kind_label = _words("budget_kind", "kind")
    planned = fields.Integer(metadata={"description": "baht"})
    approved = fields.Integer(metadata={"description": "baht"})
    disbursed = fields.Integer(metadata={"description": "baht"})
    note = fields.String()
    version = fields.Integer()


class PlotPropertiesSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    plot_no = fields.String()
    kind = fields.String(metadata={"description": "plot | lane | common"})
    kind_label = fields.Nested(LabelSchema)
    area_m2 = fields.Float(metadata={"description": "Area in square metres (EPSG:32647), 0.1 m²"})
    version = fields.Integer()
    url = fields.String()


class PlotFeatureSchema(Schema):
    """A plot as a GeoJSON Feature."""

    type = fields.Constant("Feature")
    id = fields.Integer()
    geometry = GeoJSON(("Polygon",))
    properties = fields.Nested(PlotPropertiesSchema)

    @pre_dump
    def _feature(self, plot, **kwargs):
        return {
            "id": plot.id,
            "geometry": plot.geometry,
            "properties": {
                "id": plot.id,
                "case_id": plot.case_id,
                "plot_no": plot.plot_no,
                "kind": plot.kind,
                "kind_label": words.words("plot_kind", plot.kind),
                "area_m2": round(plot.geometry.area, 1),
                "version": plot.version,
                "url": url_for("cases_api.update_plot", plot_id=plot.id),
            },
        }


class PlotCollectionSchema(Schema):
    """The plots of a case as a GeoJSON FeatureCollection."""

    type = fields.Constant("FeatureCollection")
    features = fields.List(fields.Nested(PlotFeatureSchema))

    @pre_dump
    def _collection(self, plots, **kwargs):
        return {"features": list(plots)}


class AllowedMoveSchema(Schema):
    stage = fields.String()
    stage_label = fields.Nested(LabelSchema)
    label = fields.Nested(LabelSchema, metadata={"description": "The same as `stage_label`"})
    missing = fields.List(
        fields.Nested(MissingSchema),
        metadata={"description": "What must be added before this move (empty: ready)"},
    )


class DetailCountsSchema(Schema):
    households = fields.Integer()
    agreed = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class CaseDetailSchema(CaseSchema):
    """A case with everything its page shows. Counts only: households are
    listed at /api/cases/{case_id}/households, for those who may see them."""

    community = fields.Nested(CommunitySchema)
    counts = fields.Nested(DetailCountsSchema)
    timeline = fields.List(fields.Nested(StageEventSchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    budget_lines = fields.List(fields.Nested(BudgetLineSchema))
    plots = fields.Nested(PlotCollectionSchema)
    allowed_moves = fields.List(fields.Nested(AllowedMoveSchema))
    can_edit = fields.Boolean()

    @pre_dump
    def _as_dict(self, detail, **kwargs):
        """Shape `app.application.case_detail.case_detail`'s answer; the moves and
        what each still needs come from there, computed from all the case's documents."""
        case = detail["case"]
        counts = detail["counts"]
        moves = [
            {
                "stage": move.stage,
                "stage_label": _stage_label(case.case_type, move.stage),
                "label": _stage_label(case.case_type, move.stage),
                "missing": [
                    {
                        "kind": m.kind,
                        "kind_label": words.words("requirement", m.kind),
                        "code": m.code,
                        "label": m.label,
                    }
                    for m in move.missing
                ],
            }
            for move in detail["moves"]
        ]
        timeline = [
            {
                **_record(e),
                "kind_label": words.words("event_kind", e.kind),
                "from_stage_label": _stage_label(case.case_type, e.from_stage),
                "to_stage_label": _stage_label(case.case_type, e.to_stage),
                "hold_reason_label": words.words("hold_reason", e.hold_reason),
            }
            for e in detail["events"]
        ]
        return {
            **_record(case),
            "community": detail["community"],
            "counts": {
                "households": counts.get("households", 0),
                "agreed": counts.get("agreed", 0),
                "by_status": {s: counts.get(s, 0) for s in HOUSE_STATUSES},
            },
            "timeline": timeline,
            "documents": detail["documents"],
            "budget_lines": detail["budget_lines"],
            "plots": detail["plots"],
            "allowed_moves": moves,
            "can_edit": detail["can_edit"],
        }


class StageMoveSchema(Schema):
    """A stage move as JSON."""

    to_stage = _text(100, required=True, metadata={"description": "Stage code"})
    version = _version_field()
    note = _text(load_default="")
    on = _date(metadata={"description": "Date of the move (default today, not in the future)"})


class StageMoveFormSchema(StageMoveSchema):
    """A stage move as multipart/form-data, with the documents that go with it:
    `files` and `kinds` repeated, in the same order."""

    files = fields.List(UploadField(), load_default=list)
    kinds = fields.List(
        _text(100), load_default=list, metadata={"description": "Document kind of each file"}
    )

    @validates_schema
    def _pairs(self, data, **kwargs):
        if len(data.get("files", [])) != len(data.get("kinds", [])):
            raise ValidationError(
                "send one 'kinds' value per file, in the same order "
                "/ ต้องระบุประเภทเอกสาร (kinds) หนึ่งค่าต่อหนึ่งไฟล์",
                "kinds",
            )


class DocumentUploadSchema(Schema):
    file = UploadField(required=True)
    kind = _text(100, required=True, metadata={"description": "Document kind code"})


# -- schemas: households, plots, budget ------------------------------------------------------
def _held_back_label(d) -> dict | None:
    from app.strings import STRINGS

    if d.get("erased_at") is not None:
        return dict(STRINGS["pdpa.req.mark_erased"])
    if d.get("restriction") is not None:
        return dict(STRINGS["pdpa.req.mark_restricted"])
    return None


class HouseholdSchema(Record):
    id = fields.Integer()
    case_id = fields.Integer()
    household_no = fields.Integer()
    head_name = fields.String()
    members = fields.Integer(allow_none=True)
    monthly_income = fields.Integer(allow_none=True, metadata={"description": "baht"})
    phone = fields.String()
    tenure = fields.String()
    tenure_label = _words("tenure", "tenure", nullable=True)
    agreed_to_move = fields.Boolean()
    plot_no = fields.String(allow_none=True)
    house_status = fields.String()
    house_status_label = _words("house_status", "house_status")
    status_changed_on = fields.Date(allow_none=True)
    finished_on = fields.Date(allow_none=True)
    structure_id = fields.String(allow_none=True)
    location = GeoJSON(("Point",), allow_none=True)
    # The register (cases/register.py). The national ID number is never sent in full.
    national_id_masked = fields.Function(
        lambda d: register.mask_national_id(d.get("national_id")),
        metadata={"type": "string", "description": "x-xxxx-xxxxx-12-3: the last 3 digits"},
    )
    address_no = fields.String()
    province_code = fields.String(allow_none=True, metadata={"description": "DOPA, 2 digits"})
    province_code_label = _dopa_words("province_code")
    district_code = fields.String(allow_none=True, metadata={"description": "DOPA, 4 digits"})
    district_code_label = _dopa_words("district_code")
    subdistrict_code = fields.String(allow_none=True, metadata={"description": "DOPA, 6 digits"})
    subdistrict_code_label = _dopa_words("subdistrict_code")
    occupation = fields.String(allow_none=True)
    occupation_label = _words("occupation", "occupation", nullable=True)
    years_here = fields.Integer(allow_none=True)
    house_condition = fields.String(allow_none=True)
    house_condition_label = _words("house_condition", "house_condition", nullable=True)
    savings_member = fields.Boolean(allow_none=True)
    monthly_saving = fields.Integer(allow_none=True, metadata={"description": "baht"})
    elderly = fields.Integer(allow_none=True)
    disabled = fields.Integer(allow_none=True)
    chronically_ill = fields.Integer(allow_none=True)
    consent_given = fields.Boolean(allow_none=True)
    consent_sensitive = fields.Boolean(
        allow_none=True, metadata={"description": "Explicit consent to health data (PDPA s26)"}
    )
    consent_on = fields.Date(allow_none=True)
    consent_by = fields.String()
    surveyed_on = fields.Date(allow_none=True)
    # PDPA: erased at the family's request (s33), or held back (objection s32, s34).
    erased_at = fields.DateTime(
        allow_none=True, metadata={"description": "UTC; set when the personal data was erased"}
    )
    restriction = fields.String(
        allow_none=True, metadata={"description": "objection (s32) or restriction (s34)"}
    )
    restriction_label = fields.Function(
        lambda d: services.restriction_words(d.get("restriction")),
        allow_none=True,
        metadata={"type": "object", "description": "`restriction` in words: {th, en}"},
    )
    restriction_reason = fields.String()
    restricted_on = fields.Date(allow_none=True)
    held_back_label = fields.Function(
        lambda d: _held_back_label(d),
        allow_none=True,
        metadata={
            "type": "object",
            "description": "Erased or held back, in words: {th, en}; null otherwise",
        },
    )
    version = fields.Integer()
    url = fields.Function(
        lambda d: url_for("cases_api.get_household", household_id=d["id"]), metadata=URL
    )


# The case map's view (?view=map, app/static/js/case_map.js): the fields it draws, so a
# map load reads, sends and logs as read no more of a family's data than it shows.
HOUSEHOLD_MAP_FIELDS = (
    "id",
    "household_no",
    "head_name",
    "house_status",
    "agreed_to_move",
    "plot_no",
    "location",
    "version",
)
HouseholdMapSchema = type(
    "HouseholdMapSchema",
    (Record,),
    {name: HouseholdSchema._declared_fields[name] for name in HOUSEHOLD_MAP_FIELDS}
    | {"__doc__": "A household as the case map draws it (HouseholdSchema's fields, fewer)"},
)


class HouseholdListQuerySchema(Schema):
    view = fields.String(
        load_default="full",
        validate=validate.OneOf(
            ("full", "map"), error="must be one of: {choices} / ต้องเป็นค่าใดค่าหนึ่งใน {choices}"
        ),
        metadata={"description": "full (default) or map: only the fields the case map draws"},
    )


class HouseholdMapListSchema(Schema):
    items = fields.List(fields.Nested(HouseholdMapSchema))
    total = fields.Integer()


class HouseholdListSchema(Schema):
    items = fields.List(fields.Nested(HouseholdSchema))
    total = fields.Integer()


class HouseholdInSchema(Schema):
    head_name = _text()
    members = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1000))
    monthly_income = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=MAX_INT32))
    phone = fields.String(validate=validate.Length(max=40))
    tenure = _text(100, metadata={"description": "Tenure code, see /api/workflows"})
    agreed_to_move = fields.Boolean()
    plot_no = fields.String(allow_none=True, validate=validate.Length(max=40))
    house_status = _text(100, metadata={"description": "House status code"})
    location = GeoJSON(("Point",), allow_none=True)
    # The register's fields: shapes only here; the service checks each by the register's
    # rules (check digit, DOPA codes, bounds, explicit consent) and names the field at fault.
    national_id = _text(20, allow_none=True, metadata={"description": "13 digits"})
    address_no = _text(register.MAX_NAME, allow_none=True)
    province_code = _text(10, allow_none=True, metadata={"description": "DOPA code, 2 digits"})
    district_code = _text(10, allow_none=True, metadata={"description": "DOPA code, 4 digits"})
    subdistrict_code = _text(10, allow_none=True, metadata={"description": "DOPA code, 6 digits"})
    occupation = _text(100, allow_none=True)
    years_here = _register_int()
    house_condition = _text(100, allow_none=True)
    structure_id = _text(100, allow_none=True)
    savings_member = fields.Boolean(allow_none=True)
    monthly_saving = _register_int()
    elderly = _register_int()
    disabled = _register_int()
    chronically_ill = _register_int()
    consent_given = fields.Boolean(allow_none=True)
    consent_sensitive = fields.Boolean(allow_none=True)
    consent_on = _text(
        10, allow_none=True, metadata={"format": "date", "description": "YYYY-MM-DD"}
    )
    consent_by = _text(register.MAX_NAME, allow_none=True)


class HouseholdUpdateSchema(HouseholdInSchema):
    version = _version_field()


class MemberSchema(Record):
    member_no = fields.Integer()
    name = fields.String()
    sex = fields.String(allow_none=True)
    sex_label = _words("sex", "sex", nullable=True)
    birth_year = fields.Integer(allow_none=True, metadata={"description": "Buddhist Era"})
    relation = fields.String(allow_none=True)
    relation_label = _words("relation", "relation", nullable=True)


class MemberListSchema(Schema):
    household_id = fields.Integer()
    version = fields.Integer(metadata={"description": "The household's version"})
    items = fields.List(fields.Nested(MemberSchema))
    total = fields.Integer()


class MemberInSchema(Schema):
    name = _text(register.MAX_NAME + 100, required=True)
    sex = _text(100, allow_none=True)
    birth_year = _register_int(metadata={"description": "Buddhist Era, e.g. 2510"})
    relation = _text(100, allow_none=True)


class MembersPutSchema(Schema):
    version = _version_field(metadata={"description": "The household's version you read"})
    members = fields.List(
        fields.Nested(MemberInSchema),
        required=True,
        validate=validate.Length(
            max=register.MAX_MEMBERS,
            error="at most {max} members / สมาชิกได้ไม่เกิน {max} คน",
        ),
    )


class DopaAreaSchema(Schema):
    code = fields.String()
    th = fields.String()
    en = fields.String()


class DopaChildrenSchema(Schema):
    code = fields.String(metadata={"description": "The parent's DOPA code"})
    items = fields.List(fields.Nested(DopaAreaSchema))


class PlotInSchema(Schema):
    plot_no = fields.String(required=True, validate=[_non_blank, _length(40)])
    kind = fields.String(load_default="plot", validate=validate.OneOf(services.PLOT_KINDS))
    geometry = GeoJSON(("Polygon",), required=True)


class PlotUpdateSchema(Schema):
    geometry = GeoJSON(("Polygon",), required=True)
    version = _version_field()


class VersionQuerySchema(Schema):
    version = _version_field()


class BudgetSchema(Schema):
    case_id = fields.Integer()
    items = fields.List(fields.Nested(BudgetLineSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())


class BudgetInSchema(Schema):
    planned = _amount(metadata={"description": "baht"})
    approved = _amount(metadata={"description": "baht"})
    disbursed = _amount(metadata={"description": "baht"})
    note = _text()
    version = _version_field(
        metadata={"description": "Required to update an existing line; omit to create one"}
    )


# -- schemas: dashboards, audit, workflows ------------------------------------------------
class ProgrammeQuerySchema(Schema):
    programme = _text(100, metadata={"description": "Programme code (default: all)"})


class ShareSchema(Schema):
    finished = fields.Float()
    under_construction = fields.Float()
    ready_to_build = fields.Float()
    not_started = fields.Float()


class ProgressRowSchema(Schema):
    district_en = fields.String()
    district_th = fields.String()
    programmes = fields.List(fields.String())
    programmes_labels = fields.Function(
        lambda d: [words.words("programme", p) for p in d.get("programmes") or ()],
        metadata={"type": "array", "items": {"type": "object"}, "description": "in words"},
    )
    households = fields.Integer()
    households_agreed = fields.Integer()
    finished = fields.Integer(metadata={"description": "Houses finished, moved-in included"})
    under_construction = fields.Integer()
    ready_to_build = fields.Integer()
    not_started = fields.Integer()
    moved_in = fields.Integer()
    shares = fields.Nested(ShareSchema, metadata={"description": "% of all households"})


class ProgressSchema(Schema):
    programme = fields.String(allow_none=True)
    programme_label = _words("programme", "programme", nullable=True)
    districts = fields.List(fields.Nested(ProgressRowSchema))
    total = fields.Nested(ProgressRowSchema)


class StalledCaseSchema(Record):
    id = fields.Integer()
    ref = fields.String()
    case_type = fields.String()
    case_type_label = _words("case_type", "case_type")
    programme = fields.String()
    programme_label = _words("programme", "programme")
    title_th = fields.String()
    title_en = fields.String()
    district_en = fields.String()
    district_th = fields.String()
    stage = fields.String()
    stage_label = fields.Nested(LabelSchema)
    stage_entered_on = fields.Date()
    days_in_stage = fields.Integer()
    stall_days = fields.Integer()
    hold_reason = fields.String(allow_none=True)
    hold_reason_label = fields.Function(
        lambda d: words.words("hold_reason", d["hold_reason"]),
        allow_none=True,
        metadata={"type": "object", "description": "null when not on hold"},
    )
    url = fields.Function(lambda d: url_for("cases_api.get_case", case_id=d["id"]), metadata=URL)


class StalledListSchema(Schema):
    items = fields.List(fields.Nested(StalledCaseSchema))
    total = fields.Integer()


class FinishedMonthSchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    finished = fields.Integer()
    cumulative = fields.Integer()


class FinishedOverTimeSchema(Schema):
    programme = fields.String(allow_none=True)
    programme_label = _words("programme", "programme", nullable=True)
    months = fields.List(fields.Nested(FinishedMonthSchema))


class AuditQuerySchema(Schema):
    entity = _text(100, metadata={"description": "case | household | plot | document | ..."})
    entity_id = _text(100)
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class AuditEntrySchema(Record):
    id = fields.Integer()
    at = LocalDateTime()
    username = fields.String()
    action = fields.String()
    action_label = _words("audit_action", "action")
    entity = fields.String()
    entity_label = _words("audit_entity", "entity")
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditListSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))


class StageSpecSchema(Schema):
    id = fields.String()
    label = fields.Nested(LabelSchema)
    requires = fields.Dict()
    stall_days = fields.Integer(allow_none=True)
    allowed_moves = fields.List(fields.String())


class CaseTypeSpecSchema(Schema):
    id = fields.String()
    programme = fields.String()
    programme_label = _words("programme", "programme")
    label = fields.Nested(LabelSchema)
    stages = fields.List(fields.Nested(StageSpecSchema))


def _label_table():
    return fields.Dict(keys=fields.String(), values=fields.Nested(LabelSchema))


class WorkflowsSchema(Schema):
    programmes = _label_table()
    variants = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Nested(LabelSchema)),
    )
    case_types = fields.List(fields.Nested(CaseTypeSpecSchema))
    document_kinds = _label_table()
    hold_reasons = _label_table()
    house_statuses = _label_table()
    tenure_kinds = _label_table()
    budget_kinds = _label_table()
    plot_kinds = fields.List(fields.String())
    plot_kind_labels = _label_table()
    roles = _label_table()

    @pre_dump
    def _from_workflows(self, wf, **kwargs):
        return {
            "programmes": wf.programmes,
            "variants": wf.variants,
            "case_types": [
                {
                    "id": ct.id,
                    "programme": ct.programme,
                    "label": ct.label,
                    "stages": [
                        {
                            "id": s.id,
                            "label": s.label,
                            "requires": {
                                "documents": list(s.requires_documents),
                                "fields": list(s.requires_fields),
                                "budget": list(s.requires_budget),
                                "households_agreed": s.requires_households_agreed,
                            },
                            "stall_days": s.stall_days,
                            "allowed_moves": ct.allowed_moves(s.id),
                        }
                        for s in ct.stages
                    ],
                }
                for ct in wf.case_types.values()
            ],
            "document_kinds": wf.document_kinds,
            "hold_reasons": wf.hold_reasons,
            "house_statuses": wf.house_statuses,
            "tenure_kinds": wf.tenure_kinds,
            "budget_kinds": wf.budget_kinds,
            "plot_kinds": list(services.PLOT_KINDS),
            "plot_kind_labels": words.table("plot_kind"),
            "roles": ROLE_LABELS,
        }
