"""The household survey on the web: the form to download, the returned survey to import
(upload, preview, confirm), conflicts to review, and progress for the case page's map.

- `GET /cases/<id>/survey-form.xlsx`: the case's XLSForm.
- `GET|POST /cases/<id>/survey-import`: upload an export; the preview lists every
  submission as new, updated, unchanged, conflict or refused; confirming applies it.
- `POST /cases/<id>/survey-conflicts/<conflict id>`: keep the officer's value or the survey's.
- `GET /api/cases/<id>/survey`: counts (everyone who sees the case) and, for those who see
  personal data, the community's houses marked surveyed or not, as GeoJSON.

Officers, admins and the case community's representatives; municipality viewers get the
counts only (app/route_policy.py). The rules live in app/application/survey_*.py and
cases/services/surveys.py.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.utils import secure_filename

from app.application.survey_form import survey_form_download
from app.application.survey_import import import_survey_file, report_rows, survey_map
from app.auth import login_required
from app.casestore import get_case_store, uow
from app.i18n import current_language
from app.store import get_store
from app.uploads import KeptUpload, KeptUploads, suffix_of
from cases import services
from cases.errors import DomainError, Forbidden, NotFound
from gis.errors import ValidationError

bp = Blueprint("survey", __name__, url_prefix="/cases")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/<int:case_id>/survey-form.xlsx")
@login_required
def survey_form(case_id: int):
    """The case's household survey as an XLSForm, as an attachment."""
    filename, data = survey_form_download(uow(), g.user, case_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


_SUFFIXES = (".xlsx", ".csv", ".zip")
KEEP_UPLOAD_HOURS = 1  # an upload waits this long for its confirmation


def _uploads() -> KeptUploads:
    return KeptUploads(Path(get_case_store().home) / "uploads" / "surveys", hours=KEEP_UPLOAD_HOURS)


def _owner(case_id: int) -> str:
    """An upload is confirmed by the user who sent it, for the case it was sent for."""
    return f"user {g.user.id}, case {case_id}"


def _keep_upload(case_id: int, upload) -> KeptUpload:
    if upload is None or not upload.filename:
        raise DomainError("choose the survey export to upload", "โปรดเลือกไฟล์ผลสำรวจ")
    suffix = suffix_of(upload.filename)
    if suffix not in _SUFFIXES:
        raise DomainError(
            f"{upload.filename}: a survey export is .xlsx, .csv or .zip, not {suffix!r}",
            f"{upload.filename}: ไฟล์ผลสำรวจต้องเป็น .xlsx .csv หรือ .zip",
        )
    return _uploads().keep(upload, owner=_owner(case_id))


@bp.route("/<int:case_id>/survey-import", methods=("GET", "POST"))
@login_required
def survey_import(case_id: int):
    """Upload → preview → confirm. Nothing is written before the confirmation."""
    case = services.get_case(uow(), g.user, case_id)
    services.require_edit_of(uow(), g.user, case_id=case_id)
    lang = current_language()
    context = {"case": case, "report": None, "rows": [], "warnings": [], "error": None}
    status = 200
    if request.method == "POST":
        token = request.form.get("token", "")
        confirm = request.form.get("confirm") == "1"
        filename = (request.form.get("filename") or "")[:200]
        kept = None
        try:
            if confirm:
                kept = _uploads().claim(token, owner=_owner(case_id))
                if kept is None:
                    raise DomainError(
                        "the upload has expired or was already imported; upload the file again",
                        "ไฟล์ที่อัปโหลดหมดอายุหรือนำเข้าไปแล้ว กรุณาอัปโหลดใหม่",
                    )
            else:
                kept = _keep_upload(case_id, request.files.get("file"))
                token, filename = kept.token, kept.label[:200]
            report, warnings = import_survey_file(
                uow(),
                g.user,
                case_id,
                kept.path,
                apply=confirm,
                filename=secure_filename(filename) or kept.path.name,
                layer_store=get_store(),
            )
        except ValidationError as exc:
            context["problems"] = exc.problems
            status = 422
            _uploads().discard(kept)  # refused: nothing of the file stays behind
        except (Forbidden, NotFound):
            _uploads().discard(kept)
            raise
        except DomainError as exc:
            context["error"] = exc
            status = exc.status
            if confirm and kept is not None:  # e.g. a stale version: may be confirmed again
                _uploads().put_back(kept)
            else:
                _uploads().discard(kept)
        except BaseException:
            _uploads().discard(kept)
            raise
        else:
            if confirm:
                _uploads().discard(kept)
            context.update(
                report=report,
                rows=report_rows(report, lang),
                warnings=warnings,
                token=token,
                filename=filename,
                counts=report.counts(),
            )
    return render_template("cases/survey_import.html", **context), status


@bp.post("/<int:case_id>/survey-conflicts/<int:conflict_id>")
@login_required
def resolve_conflict(case_id: int, conflict_id: int):
    keep = request.form.get("keep", "")
    try:
        services.resolve_conflict(uow(), g.user, conflict_id, keep, case_id=case_id)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        flash(exc.message(current_language()), "error")
    else:
        flash("survey.flash_resolved", "ok")
    return redirect(url_for("cases.case_page", case_id=case_id, _anchor="survey"))


@bp.get("/<int:case_id>/survey.json")
@login_required
def survey_api(case_id: int):
    """Survey progress of a case: counts, and the houses surveyed or not (GeoJSON)."""
    return jsonify(survey_map(uow(), g.user, case_id, layer_store=get_store()))


def init_app(app) -> None:
    app.register_blueprint(bp)
