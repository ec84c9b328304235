"""Build the import test corpus in tests/data/corpus/ (deterministic, small).

Run: .venv/bin/python tests/data/make_corpus.py
Good files go to corpus/good/, hostile or broken ones to corpus/bad/. The oversized
upload is generated at test time, never committed.
"""

from __future__ import annotations

import csv
import shutil
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

HERE = Path(__file__).parent / "corpus"
GOOD = HERE / "good"
BAD = HERE / "bad"

# Lak Si, near Khlong Prem (WGS 84 lon/lat).
BASE_LON, BASE_LAT = 100.5650, 13.8800
NAMES = ["ชุมชนริมคลองเปรม", "ชุมชนหลักสี่พัฒนา", "<script>alert(1)</script>"]


def square(lon: float, lat: float, d: float = 0.0004):
    return shapely.box(lon, lat, lon + d, lat + d)


def communities_wgs84() -> gpd.GeoDataFrame:
    rows = []
    for i, name in enumerate(NAMES):
        rows.append(
            {
                "community_id": f"TEST-{i + 1:02d}",
                "name_th": name,
                "name_en": f"Test community {i + 1}",
                "area_en": "Lak Si",
                "area_th": "หลักสี่",
                "province_th": "กรุงเทพมหานคร",
                "bank": "east" if i % 2 else "west",
                "households_total": 40 + i,
                "households_agreed": 30 + i,
                "geometry": square(BASE_LON + i * 0.001, BASE_LAT),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def to_indian_1975(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """WGS 84 → Indian 1975 / UTM 47N through the chosen EPSG:1304 (inverse), so the
    importer must bring the shapes back to where they were (see decision 0006)."""
    import numpy as np
    from pyproj import Transformer

    from gis.importing import _INDIAN_TO_WGS84_GEOG

    datum = Transformer.from_pipeline(_INDIAN_TO_WGS84_GEOG)
    utm = Transformer.from_crs("EPSG:4240", "EPSG:24047", always_xy=True)

    def fn(xy):
        lon, lat = datum.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
        return np.column_stack(utm.transform(lon, lat))

    out = gdf.to_crs("EPSG:4326").copy()
    return out.set_geometry(
        gpd.GeoSeries(shapely.transform(out.geometry.values, fn), crs="EPSG:24047")
    )


def write_csv(path: Path, header: list[str], rows: list[list], delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def kobo_rows():
    header = [
        "start",
        "end",
        "community",
        "head_count",
        "gps",
        "_gps_latitude",
        "_gps_longitude",
        "_gps_altitude",
        "_gps_precision",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_index",
    ]
    rows = []
    for i in range(3):
        lat, lon = BASE_LAT + i * 0.0005, BASE_LON + i * 0.0005
        rows.append(
            [
                "2024-05-01T09:00:00",
                "2024-05-01T09:10:00",
                NAMES[i % 2],
                4 + i,
                f"{lat} {lon} 2.0 5.0",
                lat,
                lon,
                2.0,
                5.0,
                1000 + i,
                f"uuid-{i}",
                "2024-05-01T10:00:00",
                "",
                i + 1,
            ]
        )
    return header, rows


def build() -> None:
    shutil.rmtree(HERE, ignore_errors=True)
    GOOD.mkdir(parents=True)
    BAD.mkdir(parents=True)
    comm = communities_wgs84()

    # GeoPackage (two layers: the importer must be told which) and GeoJSON.
    comm.to_crs("EPSG:32647").to_file(GOOD / "communities.gpkg", layer="communities")
    pyogrio.write_dataframe(
        comm.iloc[:1].to_crs("EPSG:32647"), GOOD / "communities.gpkg", layer="other", append=True
    )
    comm.to_file(GOOD / "communities.geojson", driver="GeoJSON")

    # District-office shapefile: cp874, no .cpg, Indian 1975 / UTM 47N.
    dist = comm[["community_id", "name_th", "area_th", "geometry"]].copy()
    dist = dist.iloc[:2]
    folder = GOOD / "district_office"
    folder.mkdir()
    pyogrio.write_dataframe(to_indian_1975(dist), folder / "chumchon.shp", encoding="cp874")
    (folder / "chumchon.cpg").unlink(missing_ok=True)
    with zipfile.ZipFile(GOOD / "district_office.zip", "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)

    # KoBo XLSX and CSV (';').
    header, rows = kobo_rows()
    write_csv(GOOD / "kobo_survey.csv", header, rows, delimiter=";")
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(
        [h if h != "gps" else "household/gps" for h in header][:4]
        + ["household/gps"]
        + [
            "_household/gps_latitude",
            "_household/gps_longitude",
            "_household/gps_altitude",
            "_household/gps_precision",
        ]
        + header[9:]
    )
    for r in rows:
        ws.append(r)
    wb.properties.creator = "corpus"
    wb.properties.created = wb.properties.modified = __import__("datetime").datetime(2024, 5, 1)
    wb.save(GOOD / "kobo_survey.xlsx")

    # KoBo geoshape (lat lon alt acc; latitude first; closed).
    ring = [
        (BASE_LAT, BASE_LON),
        (BASE_LAT, BASE_LON + 0.001),
        (BASE_LAT + 0.001, BASE_LON + 0.001),
        (BASE_LAT, BASE_LON),
    ]
    shape = ";".join(f"{a} {b} 0 0" for a, b in ring)
    write_csv(
        GOOD / "kobo_geoshape.csv",
        ["name", "boundary", "_id"],
        [["แปลงที่ 1", shape, 1]],
        delimiter=";",
    )

    # ODK Central.
    write_csv(
        GOOD / "odk_central.csv",
        [
            "SubmissionDate",
            "hh-name",
            "hh-location-Latitude",
            "hh-location-Longitude",
            "hh-location-Altitude",
            "hh-location-Accuracy",
            "KEY",
            "SubmitterID",
            "ReviewState",
            "FormVersion",
        ],
        [
            [
                "2024-05-02T08:00:00Z",
                NAMES[i % 2],
                BASE_LAT + i * 0.0004,
                BASE_LON + i * 0.0004,
                1.5,
                4.0,
                f"uuid:{i}",
                7,
                "approved",
                "2024050101",
            ]
            for i in range(3)
        ],
    )

    # CSV with Thai headers, and one in TIS-620.
    write_csv(
        GOOD / "thai_headers.csv",
        ["ชื่อ", "ละติจูด", "ลองจิจูด", "ครัวเรือน"],
        [[NAMES[i % 2], BASE_LAT + i * 0.0003, BASE_LON, 10 + i] for i in range(3)],
    )
    write_csv(
        GOOD / "thai_cp874.csv",
        ["name", "lat", "lon"],
        [[NAMES[i % 2], BASE_LAT + i * 0.0003, BASE_LON] for i in range(2)],
        encoding="cp874",
    )

    # Google Earth KML (Folders, ExtendedData, HTML description) and KMZ.
    placemarks = []
    for i, name in enumerate(NAMES[:2]):
        lon = BASE_LON + i * 0.001
        coords = " ".join(f"{x},{y},0" for x, y in square(lon, BASE_LAT).exterior.coords)
        placemarks.append(
            f"<Placemark><name>{name}</name><description><![CDATA[<b>ชุมชน</b><br/>"
            f"ครัวเรือน {40 + i}]]></description><ExtendedData>"
            f'<Data name="community_id"><value>KML-{i + 1:02d}</value></Data>'
            f'<Data name="households"><value>{40 + i}</value></Data></ExtendedData>'
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon></Placemark>"
        )
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><name>Khlong Prem</name><Folder><name>หลักสี่</name>"
        + placemarks[0]
        + "<Folder><name>ฝั่งตะวันออก</name>"
        + placemarks[1]
        + "</Folder></Folder></Document></kml>\n"
    )
    (GOOD / "google_earth.kml").write_text(kml, encoding="utf-8")
    with zipfile.ZipFile(GOOD / "google_earth.kmz", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)

    # ---------------------------------------------------------- bad cases
    # zip slip
    with zipfile.ZipFile(BAD / "zip_slip.zip", "w") as zf:
        zf.writestr("../../evil.shp", b"x")
        zf.writestr("ok.txt", b"x")
    # zip bomb: 300 MB of zeros compresses to ~300 KB; keep it smaller: 250 MB > 200 MB limit.
    bomb = BAD / "zip_bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("bomb.csv", "w", force_zip64=True) as fh,
    ):
        for _ in range(250):
            fh.write(b"0" * (1 << 20))
    # KML billion laughs, external entity
    lol = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + ']>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol9;</name>'
        "</Document></kml>\n"
    )
    (BAD / "billion_laughs.kml").write_text(lol)
    (BAD / "external_entity.kml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&xxe;</name>'
        "<Point><coordinates>100.56,13.88</coordinates></Point></Placemark></Document></kml>\n"
    )
    # truncated gpkg, corrupt zip
    data = (GOOD / "communities.gpkg").read_bytes()
    (BAD / "truncated.gpkg").write_bytes(data[: len(data) // 3])
    good_zip = (GOOD / "district_office.zip").read_bytes()
    (BAD / "corrupt.zip").write_bytes(good_zip[:40] + b"\x00" * 64 + good_zip[200:300])
    # shapefile without .prj
    noprj = BAD / "no_crs"
    noprj.mkdir()
    pyogrio.write_dataframe(comm.to_crs("EPSG:32647").iloc[:2], noprj / "no_crs.shp")
    (noprj / "no_crs.prj").unlink()
    with zipfile.ZipFile(BAD / "no_crs.zip", "w") as zf:
        for f in sorted(noprj.iterdir()):
            zf.write(f, f.name)
    shutil.rmtree(noprj)
    # lat/lon swapped
    write_csv(
        BAD / "latlon_swapped.csv",
        ["name", "lat", "lon"],
        [[NAMES[0], BASE_LON, BASE_LAT], [NAMES[1], BASE_LON + 0.001, BASE_LAT]],
    )
    # bowtie polygon (repaired, listed): a "good with a fix" case lives in bad/ for clarity
    bow = comm.iloc[:1].copy()
    bow["geometry"] = [
        shapely.from_wkt(
            f"POLYGON(({BASE_LON} {BASE_LAT},{BASE_LON + 0.001} {BASE_LAT + 0.001},"
            f"{BASE_LON + 0.001} {BASE_LAT},{BASE_LON} {BASE_LAT + 0.001},{BASE_LON} {BASE_LAT}))"
        )
    ]
    bow.to_file(BAD / "bowtie.geojson", driver="GeoJSON")
    # wrong geometry type: points for the polygon layer communities
    pts = comm.copy()
    pts["geometry"] = pts.geometry.centroid
    pts.to_file(BAD / "wrong_geometry_type.geojson", driver="GeoJSON")


if __name__ == "__main__":
    build()
    for p in sorted(HERE.rglob("*")):
        if p.is_file():
            print(f"{p.stat().st_size:>9}  {p.relative_to(HERE)}")
