"""The household survey on the web: the case's XLSForm to download.

`GET /cases/<id>/survey-form.xlsx` (officers, admins and the case community's
representatives: the form collects personal data, so municipality viewers are refused;
app/route_policy.py). The rules live in app/application/survey_form.py; the survey
import's routes join this blueprint.
"""

from __future__ import annotations

import io

from flask import Blueprint, g, send_file

from app.application.survey_form import survey_form_download
from app.auth import login_required
from app.casestore import uow

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


def init_app(app) -> None:
    app.register_blueprint(bp)
