"""Importers: the files officers, surveyors and municipalities really have.

One entry point, `import_file`, and a pure staged part, `read_and_validate`, that
reads, checks and converts a file into the layer's catalogue CRS without writing
anything. Every problem is collected and reported at once (`ValidationError`),
naming the file, the feature and the field.

One module per format (`geojson`, `gpkg`, `shapefile`, `kml`, `tables` for CSV and
Excel, `kobo` for coordinates in tables, `archive` for zip and KMZ), one per stage
(`reading`, `validate`, `crs`, `duplicates`, `pipeline`), the `report` and the
`options` an import is given. `survey_files` reads KoBoToolbox and ODK Central survey
exports into plain submissions (not map layers).
"""

from gis import formats

# GDAL reads nothing from the network on the planner's behalf (gis.formats).
formats.harden_pyogrio()

from gis.importing.archive import copy_upload, safe_extract  # noqa: E402
from gis.importing.crs import (  # noqa: E402
    _INDIAN_TO_WGS84_GEOG,
    INDIAN_1975,
    INDIAN_1975_TRANSFORMATION,
    THAILAND_BOUNDS,
)
from gis.importing.kml import read_kml_bytes  # noqa: E402
from gis.importing.options import (  # noqa: E402
    FORMATS,
    MAX_FILE_BYTES,
    ImportOptions,
    ReadNotes,
)
from gis.importing.pipeline import (  # noqa: E402
    WRITE_ATTEMPTS,
    import_file,
    read_and_validate,
    read_fields,
)
from gis.importing.reading import read_file  # noqa: E402
from gis.importing.report import (  # noqa: E402
    ImportReport,
    list_reports,
    load_report,
    reports_dir,
    save_report,
)
from gis.importing.survey_files import (  # noqa: E402
    RawSubmission,
    SurveyExport,
    read_survey_export,
)
from gis.importing.validate import suggest_field_map  # noqa: E402

__all__ = [
    "FORMATS",
    "INDIAN_1975",
    "INDIAN_1975_TRANSFORMATION",
    "MAX_FILE_BYTES",
    "THAILAND_BOUNDS",
    "WRITE_ATTEMPTS",
    "_INDIAN_TO_WGS84_GEOG",
    "ImportOptions",
    "ImportReport",
    "RawSubmission",
    "ReadNotes",
    "SurveyExport",
    "copy_upload",
    "import_file",
    "list_reports",
    "load_report",
    "read_and_validate",
    "read_fields",
    "read_file",
    "read_kml_bytes",
    "read_survey_export",
    "reports_dir",
    "safe_extract",
    "save_report",
    "suggest_field_map",
]
