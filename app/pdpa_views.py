"""PDPA on the web (issue 14; docs/decisions/0025): a household's consent ledger.

- `POST /cases/households/<id>/consent`: record a consent given (the household page's
  form, with the signed form chosen from the case's documents or uploaded with it).
- `POST /cases/households/<id>/consent/withdraw`: withdraw one, in one action after the
  page's confirmation (`?withdraw=<scope>#consent` shows what it will clear).
- `GET|POST /api/households/<id>/consent`: the ledger and the current state; a consent
  given or withdrawn.
- `POST /cases/households/<id>/erase`, `/restrict`, `/lift`: the family's requests to
  erase (s33), object (s32) or restrict (s34), from the household page, officers and
  admins only (cases/services/erasure.py, app/application/erasure.py).
- `GET /cases/households/<id>/pdpa-export.pdf` and `.json`: everything held about the
  household (subject access, s30 and s31), for officers and admins; each download is an
  export, audited and in the read log (app/application/pdpa.py `subject_access`).

The household page shows the ledger and, for officers and admins, the read log
(app/cases_views.py, templates/cases/_consent.html). The rules are cases/services/
consent.py's; what was shown is logged by cases/services/reads.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, request, url_for
from marshmallow import Schema, fields, validate

from app import cases_api
from app.application.erasure import erase, journal_path
from app.application.pdpa import (
    consent_answer,
    field_labels,
    subject_access,
    subject_access_json,
    subject_access_pdf,
)
from app.auth import current_user, login_required
from app.cases_api import ApiBlueprint, edit_permission, errors
from app.cases_schemas import LabelSchema
from app.casestore import uow
from app.i18n import STRINGS, current_language
from cases import privacy, services
from cases.errors import DomainError, Forbidden, InvalidInput, NotFound
from cases.model import CONSENT_SCOPES, EARLIEST_DATE, LATEST_DATE, MAX_ID, MAX_TEXT
from cases.register import MAX_NAME
from gis.thaidate import parse_form_date

bp = Blueprint("pdpa", __name__, url_prefix="/cases")
api_bp = ApiBlueprint(
    "pdpa_api",
    __name__,
    url_prefix="/api",
    description="PDPA: a household's consent and notice ledger",
)


def _back(household_id: int):
    return redirect(url_for("cases.household", household_id=household_id, _anchor="consent"))


def _form_date(raw: str | None):
    try:
        return parse_form_date(raw)
    except ValueError:
        raise InvalidInput(
            f"not a date: {str(raw)[:20]!r} (use YYYY-MM-DD)",
            f"วันที่ไม่ถูกต้อง: {str(raw)[:20]!r}",
            field="on",
        ) from None


@bp.post("/households/<int:household_id>/consent")
@login_required
def record_consent(household_id: int):
    """Record a consent given, from the household page's form."""
    form = request.form
    upload = request.files.get("file")
    try:
        new_document = None
        if upload and upload.filename:
            new_document = {
                "filename": upload.filename,
                "content_type": upload.mimetype or "",
                "data": upload.read(),
            }
        services.record_consent(
            uow(),
            g.user,
            household_id,
            scope=form.get("scope", ""),
            on=_form_date(form.get("on")),
            purposes=form.getlist("purposes"),
            taken_by=form.get("taken_by", ""),
            document_id=form.get("document_id") or None,
            new_document=new_document,
            note=form.get("note", ""),
            source="page",
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        flash(exc.message(current_language()), "error")
    else:
        flash("pdpa.flash_recorded", "ok")
    return _back(household_id)


@bp.post("/households/<int:household_id>/consent/withdraw")
@login_required
def withdraw_consent(household_id: int):
    """Withdraw a consent: one action; the answer names the fields it cleared."""
    lang = current_language()
    try:
        _, _, cleared = services.withdraw_consent(
            uow(),
            g.user,
            household_id,
            scope=request.form.get("scope", ""),
            note=request.form.get("note", ""),
            source="page",
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        flash(exc.message(lang), "error")
    else:
        message = STRINGS["pdpa.flash_withdrawn"][lang]
        if cleared:
            words = ", ".join(field_labels(cleared, lang))
            message += " " + STRINGS["pdpa.flash_cleared"][lang].format(fields=words)
        flash(message, "ok")
    return _back(household_id)


# -- requests of the family: erasure (s33), objection (s32), restriction (s34) ------------
def _requests_back(household_id: int):
    return redirect(url_for("cases.household", household_id=household_id, _anchor="pdpa-requests"))


def _flash_both(words: dict[str, str], category: str = "error") -> None:
    """A message on the page in both languages, the reader's first."""
    lang = current_language()
    other = "en" if lang == "th" else "th"
    flash(f"{words[lang]} · {words[other]}", category)


def _refused(exc: DomainError) -> None:
    """A refusal on the page in both languages; nothing changed."""
    _flash_both({lang: exc.message(lang) for lang in ("th", "en")})


@bp.post("/households/<int:household_id>/erase")
@login_required
def erase_household(household_id: int):
    """Erase the household's personal data (s33): journalled, erased, files removed,
    vacuumed (app/application/erasure.py). The page asks for a reason and a tick."""
    if request.form.get("confirm") != "yes":
        _flash_both(STRINGS["pdpa.req.erase_unconfirmed"])
        return _requests_back(household_id)
    try:
        result = erase(
            uow,
            g.user,
            household_id,
            reason=request.form.get("reason", ""),
            journal=journal_path(current_app.config["SHARED_DIR"], current_app.config),
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        _refused(exc)
        return _requests_back(household_id)
    flash("pdpa.req.flash_erased", "ok")
    if result.vacuum_left:
        left = ", ".join(result.vacuum_left)
        _flash_both({k: v.format(left=left) for k, v in STRINGS["pdpa.vacuum.left"].items()})
    return redirect(url_for("cases.household", household_id=household_id))


@bp.post("/households/<int:household_id>/restrict")
@login_required
def restrict_household(household_id: int):
    """Hold back the household's processing: an objection (s32) or a restriction (s34)."""
    try:
        services.restrict_household(
            uow(),
            g.user,
            household_id,
            kind=request.form.get("kind", ""),
            reason=request.form.get("reason", ""),
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        _refused(exc)
    else:
        flash("pdpa.req.flash_restricted", "ok")
    return _requests_back(household_id)


@bp.post("/households/<int:household_id>/lift")
@login_required
def lift_restriction(household_id: int):
    """End the objection or restriction, with a reason."""
    try:
        services.lift_restriction(
            uow(), g.user, household_id, reason=request.form.get("reason", "")
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        _refused(exc)
    else:
        flash("pdpa.req.flash_lifted", "ok")
    return _requests_back(household_id)


def _export(household_id: int, ext: str) -> Response:
    """One subject access export as a download: never cached (it holds the full
    national ID number). Only from the planner's own pages or a typed address: each export
    is audited and read-logged, so another site's link or script must not make one."""
    if request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
        abort(403)
    access = subject_access(uow(), g.user, household_id)
    if ext == "pdf":
        body, mimetype = subject_access_pdf(access), "application/pdf"
    else:
        body, mimetype = subject_access_json(access), "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{access.filename(ext)}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/households/<int:household_id>/pdpa-export.pdf")
@login_required
def export_pdf(household_id: int):
    """The family's copy: a Thai A4 PDF of everything held about the household."""
    return _export(household_id, "pdf")


@bp.get("/households/<int:household_id>/pdpa-export.json")
@login_required
def export_json(household_id: int):
    """The same as JSON, for machines (s31)."""
    return _export(household_id, "json")


# -- the API ------------------------------------------------------------------------------
class ConsentInSchema(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(("given", "withdrawn")),
        metadata={"description": "given or withdrawn"},
    )
    scope = fields.String(
        required=True,
        validate=validate.OneOf(CONSENT_SCOPES),
        metadata={"description": "general (PDPA s19) or sensitive (s26, explicit)"},
    )
    on = fields.Date(
        load_default=None,
        validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE),
        metadata={
            "description": "The day it was given or withdrawn (not in the future, not "
            "before 2019); a withdrawal defaults to today"
        },
    )
    purposes = fields.List(
        fields.String(validate=validate.Length(max=40)),
        load_default=list,
        validate=validate.Length(max=len(privacy.PURPOSES)),
        metadata={
            "description": "Keys of the purposes agreed (default: all of the scope's): "
            + ", ".join(f"{k} ({p.basis})" for k, p in privacy.PURPOSES.items())
        },
    )
    taken_by = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NAME),
        metadata={"description": "Who took it in the field (e.g. the survey volunteer)"},
    )
    document_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The signed form: a document of the household's case"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))


class ConsentEventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    scope = fields.String()
    purposes = fields.List(fields.String())
    purpose_labels = fields.List(fields.Nested(LabelSchema))
    on = fields.Date()
    recorded_by = fields.String()
    recorded_at = fields.DateTime(metadata={"description": "UTC"})
    taken_by = fields.String()
    document_id = fields.Integer(allow_none=True)
    source = fields.String(metadata={"description": "page, api, survey, register or cli"})
    note = fields.String()


class ConsentLedgerSchema(Schema):
    household_id = fields.Integer()
    version = fields.Integer(metadata={"description": "The household's version"})
    consent_given = fields.Boolean(allow_none=True)
    consent_sensitive = fields.Boolean(allow_none=True)
    consent_on = fields.Date(allow_none=True)
    consent_by = fields.String()
    items = fields.List(fields.Nested(ConsentEventSchema), metadata={"description": "Oldest first"})
    cleared = fields.List(
        fields.String(),
        metadata={"description": "After a withdrawal: the household fields it cleared"},
    )


def _ledger(household_id: int, user) -> tuple:
    household = services.get_household(uow(), user, household_id)
    return household, services.consent_ledger(uow(), user, household_id)


@api_bp.route("/households/<int:household_id>/consent", methods=["GET"], tags=["households"])
@api_bp.response(200, ConsentLedgerSchema)
@errors(401, 403, 404)
def get_consent(household_id):
    """A household's consent and notice ledger, and its current state (PDPA s19, s26)"""
    user = current_user()
    household, ledger = _ledger(household_id, user)
    # The answer always carries the household's consent state: a read, even of "none yet".
    services.log_reads(uow(), user, "consent_api", [(household.id, ["consent"])])
    return consent_answer(household, ledger)


@api_bp.route("/households/<int:household_id>/consent", methods=["POST"], tags=["households"])
@edit_permission()
@api_bp.arguments(ConsentInSchema)
@api_bp.response(201, ConsentLedgerSchema)
@errors(401, 403, 404)
def post_consent(body, household_id):
    """Record a consent given or withdrawn (one line of the ledger)

    The household's consent_* fields follow in the same change. Withdrawing a consent
    clears the household's fields that rested on it (sensitive, s26: elderly, disabled,
    chronically ill; general, s19: the phone number); `cleared` names them.
    """
    user = current_user()
    cleared: list[str] = []
    common = {
        "scope": body["scope"],
        "taken_by": body["taken_by"],
        "document_id": body["document_id"],
        "note": body["note"],
        "source": "api",
    }
    if body["action"] == "given":
        if body["on"] is None:
            raise InvalidInput(
                "the day the consent was given is required", "ต้องระบุวันที่ให้ความยินยอม", field="on"
            )
        services.record_consent(
            uow(), user, household_id, on=body["on"], purposes=body["purposes"], **common
        )
    else:
        _, _, cleared = services.withdraw_consent(
            uow(), user, household_id, on=body["on"], **common
        )
    household, ledger = _ledger(household_id, user)
    services.log_reads(uow(), user, "consent_api", [(household.id, ["consent"])])
    answer = consent_answer(household, ledger)
    answer["cleared"] = cleared
    return answer, 201


def init_app(app) -> None:
    """Register the page's forms and the API (on the app's one documented Api)."""
    app.register_blueprint(bp)
    api = cases_api.planner_api(app)
    api.register_blueprint(api_bp)
