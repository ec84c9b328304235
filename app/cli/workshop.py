"""`planner layout`: community layout options for a site."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from app.cli import (
    _cli_user,
    _echo_problems,
    _fail,
    _open_case_store,
    _open_store,
    main,
)
from gis.catalog import load_catalog
from gis.errors import PlannerError, ValidationError

# ------------------------------------------------------------------- layout

_LAYOUT_SUFFIXES = (".gpkg", ".geojson", ".json")
_LAYOUT_KINDS = {
    "site": (("Polygon", "MultiPolygon"), "a polygon", "ขอบเขตที่ดินต้องเป็นรูปหลายเหลี่ยม"),
    "canal": (
        ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
        "lines (or canal polygons)",
        "แนวคลองต้องเป็นเส้น (หรือรูปหลายเหลี่ยมของคลอง)",
    ),
    "access": (("Point", "MultiPoint"), "points", "ทางเข้าต้องเป็นจุด"),
}


def _layout_layers(path: Path) -> list[tuple[str, str]]:
    """(name, geometry type) of every layer of a GeoPackage, [] for other files."""
    if path.suffix.lower() != ".gpkg" or not path.exists():
        return []
    import pyogrio

    from gis import formats

    try:
        formats.check_format(formats.check_path(path, label=path.name), label=path.name)
    except ValidationError as exc:
        raise PlannerError(str(exc)) from None
    try:
        return [(str(n), str(t)) for n, t in pyogrio.list_layers(formats.gdal_path(path, "gpkg"))]
    except Exception as exc:  # GDAL's errors name no class we can rely on
        raise PlannerError(
            f"{path.name}: the GeoPackage cannot be opened ({str(exc).splitlines()[0]}) "
            f"/ เปิดไฟล์ GeoPackage ไม่ได้"
        ) from None


def _layout_read(path: Path, role: str, *, source_layer=None, crs=None, catalog=None):
    """One layout input (site, canal or access) from a file, validated and reprojected
    into EPSG:32647; returns the frame and a note of the reprojection (or None)."""
    from gis.errors import Problem
    from gis.importing import read_and_validate

    if path.suffix.lower() not in _LAYOUT_SUFFIXES:
        raise PlannerError(
            f"{path.name}: the {role} file must be a GeoPackage (.gpkg) or GeoJSON (.geojson) "
            f"/ ไฟล์ต้องเป็น GeoPackage หรือ GeoJSON"
        )
    gdf, report = read_and_validate(
        path,
        layer=f"layout_{role}",
        catalog=catalog or load_catalog(),
        crs=crs,
        source_layer=source_layer,
    )
    allowed, what_en, what_th = _LAYOUT_KINDS[role]
    problems = [
        Problem(
            f"the {role} must be {what_en}; this feature is a {kind}",
            f"{what_th} แต่รายการนี้เป็น {kind}",
            file=report.file,
            layer=source_layer,
            feature=i,
            field="geometry",
        )
        for i, kind in enumerate(gdf.geom_type.astype(str))
        if kind not in allowed
    ]
    if problems:
        raise ValidationError(problems)
    note = None
    if report.source_crs and report.target_crs and report.source_crs != report.target_crs:
        where = f"{report.file}" + (f" (layer {source_layer})" if source_layer else "")
        note = f"{where}: {report.source_crs} → {report.target_crs}"
    return gdf, note


def _layout_site_file(path: Path, crs, catalog):
    """The site polygon of a file, and the canal and access layers a GeoPackage holds
    beside it (layers `canal` and `access`)."""
    from gis.errors import Problem

    layers = _layout_layers(path)
    names = [n for n, _ in layers]
    site_layer = None
    if layers:
        if "site" in names:
            site_layer = "site"
        else:
            polygons = [n for n, t in layers if "Polygon" in t]
            if len(polygons) != 1:
                raise PlannerError(
                    f"{path.name}: name the site layer 'site' (layers: {', '.join(names)}) "
                    f"/ ตั้งชื่อชั้นข้อมูลขอบเขตที่ดินว่า site"
                )
            site_layer = polygons[0]
    gdf, note = _layout_read(path, "site", source_layer=site_layer, crs=crs, catalog=catalog)
    parts = [(i, p) for i, g in enumerate(gdf.geometry) for p in getattr(g, "geoms", [g])]
    if len(parts) != 1:
        raise ValidationError(
            [
                Problem(
                    f"the site file holds {len(parts)} polygons; give exactly one site polygon",
                    f"ไฟล์มีรูปหลายเหลี่ยม {len(parts)} รูป ต้องมีขอบเขตที่ดินเพียงรูปเดียว",
                    file=path.name,
                    layer=site_layer,
                    feature=parts[1][0] if len(parts) > 1 else None,
                    field="geometry",
                )
            ]
        )
    extra = {role: role if role in names else None for role in ("canal", "access")}
    return parts[0][1], note, site_layer, extra


def _layout_case_community(spec: str) -> str | None:
    """The community of case `spec` (a case ref) in the case store, or None."""
    try:
        from cases import services

        rows, _ = services.list_cases(_open_case_store().uow(), _cli_user(), search=spec)
    except Exception:  # no case store here: the value is simply not a case
        return None
    return next((r["community_id"] for r in rows if r["ref"] == spec), None)


@main.command("layout")
@click.option(
    "--site",
    "site_spec",
    required=True,
    help="Site file (GeoPackage or GeoJSON with one polygon; a GeoPackage may hold "
    "`canal` and `access` layers too), or a community id of the store (e.g. KPP-LS-02) "
    "or a case ref.",
)
@click.option(
    "--households",
    type=int,
    default=None,
    help="Households to house (default for a community: its agreed households).",
)
@click.option(
    "--plot",
    "plot_specs",
    multiple=True,
    help="Plot type NAME=WIDTHxDEPTH in metres, repeatable (default row=3.5x8 twin=5x10).",
)
@click.option("--lane-width", type=float, default=4.0, show_default=True, help="Metres.")
@click.option("--main-lane-width", type=float, default=6.0, show_default=True, help="Metres.")
@click.option(
    "--setback",
    type=float,
    default=None,
    help="No building within this many metres of the canal line (default: the store's "
    "half canal width plus setback for a community; for a file the canal layer's "
    "width_m/2 + setback_m, else 8).",
)
@click.option(
    "--common-share",
    type=float,
    default=0.10,
    show_default=True,
    help="Common space, as a share of the buildable land.",
)
@click.option("--options", "n_options", type=click.IntRange(1, 12), default=4, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--canal", "canal_path", default=None, help="Canal lines file (gpkg, geojson).")
@click.option("--access", "access_path", default=None, help="Access points file (gpkg, geojson).")
@click.option(
    "--unit-cost",
    "unit_cost_specs",
    multiple=True,
    help="NAME=BAHT to replace an illustrative unit cost (main_lane_per_m, lane_per_m, "
    "plot_services, common_space_per_m2); repeatable.",
)
@click.option("--crs", default=None, help="CRS of a site file that has none, e.g. EPSG:24047.")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="GeoPackage to write (layers plots, lanes, open_space, site; metrics JSON beside).",
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path),
    default=None,
    help="A3 landscape PDF: a sheet per option and a comparison sheet.",
)
@click.option(
    "--dxf",
    "dxf_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for one DXF drawing per option.",
)
def layout_command(
    site_spec,
    households,
    plot_specs,
    lane_width,
    main_lane_width,
    setback,
    common_share,
    n_options,
    seed,
    canal_path,
    access_path,
    unit_cost_specs,
    crs,
    lang,
    out,
    pdf_path,
    dxf_dir,
):
    """Layout options for a site: plots, lanes and common space for every household, or
    how many do not fit (ทางเลือกผังชุมชน: แปลง ซอย และพื้นที่ส่วนกลาง)."""
    from shapely.geometry import Point

    from gis.layout import (
        DEFAULT_PLOT_TYPES,
        DEFAULT_UNIT_COSTS,
        generate_layouts,
        layout_problems,
        parse_plot_type,
        write_dxf,
        write_geopackage,
    )

    started = time.perf_counter()
    if out.suffix.lower() != ".gpkg":
        _fail(PlannerError("--out must be a .gpkg file / --out ต้องเป็นไฟล์ .gpkg"))
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        _fail(PlannerError("--pdf must be a .pdf file / --pdf ต้องเป็นไฟล์ .pdf"))
    notes: list[str] = []
    try:
        plot_types = tuple(parse_plot_type(p) for p in plot_specs) or DEFAULT_PLOT_TYPES
        names = [t.name for t in plot_types]
        if len(set(names)) != len(names):
            raise PlannerError(f"--plot names must differ ({', '.join(names)}) / ชื่อแบบแปลงซ้ำกัน")
        unit_costs = {}
        for item in unit_cost_specs:
            key, _, value = item.partition("=")
            try:
                unit_costs[key.strip()] = float(value)
            except ValueError:
                key = ""
            if key.strip() not in DEFAULT_UNIT_COSTS:
                raise PlannerError(
                    f"--unit-cost takes NAME=BAHT with NAME one of "
                    f"{', '.join(DEFAULT_UNIT_COSTS)}, not {item!r} / ราคาต่อหน่วยไม่ถูกต้อง"
                )
        catalog = load_catalog()
        site_path = Path(site_spec)
        canal = access = canal_table = None
        setback_default, setback_how = 8.0, "default / ค่าเริ่มต้น"
        canal_file = Path(canal_path) if canal_path else None
        access_file = Path(access_path) if access_path else None
        canal_layer = access_layer = None
        if site_path.exists() or site_path.suffix.lower() in _LAYOUT_SUFFIXES:
            site, note, site_layer, beside = _layout_site_file(site_path, crs, catalog)
            notes += [note] if note else []
            site_id = name_th = name_en = site_path.stem
            source = site_path.name + (f" (layer {site_layer})" if site_layer else "")
            if canal_file is None and beside["canal"]:
                canal_file, canal_layer = site_path, "canal"
            if access_file is None and beside["access"]:
                access_file, access_layer = site_path, "access"
            if households is None:
                raise PlannerError(
                    "--households is needed with a site file / ต้องระบุจำนวนครัวเรือน --households"
                )
        else:
            from gis.layout_inputs import community_site

            store = _open_store()
            community_id = site_spec
            communities = store.read("communities") if store.has_layer("communities") else None
            if communities is None or site_spec not in set(communities["community_id"]):
                community_id = _layout_case_community(site_spec)
                if community_id is None:
                    raise PlannerError(
                        f"{site_spec!r} is neither a file nor a community id or case ref of "
                        f"the store / ไม่พบไฟล์ ชุมชน หรือกรณี {site_spec!r}"
                    )
                click.echo(f"case {site_spec} → community {community_id} / กรณีของชุมชน")
            found = community_site(store, community_id)
            site, canal, access = found.site, found.canal, found.access
            site_id, name_th, name_en = found.site_id, found.name_th, found.name_en
            source = f"store: communities {community_id}"
            setback_default = found.setback_from_centreline_m
            setback_how = "store: half the canal width + its setback / ครึ่งความกว้างคลอง + ระยะถอยร่น"
            if households is None:
                households = found.households
        if canal_file is not None:
            if canal_layer is None and "canal" in {n for n, _ in _layout_layers(canal_file)}:
                canal_layer = "canal"
            canal_table, note = _layout_read(
                canal_file, "canal", source_layer=canal_layer, catalog=catalog
            )
            notes += [note] if note else []
            canal = canal_table.geometry
            setback_default, setback_how = 8.0, "default / ค่าเริ่มต้น"
            if {"width_m", "setback_m"} <= set(canal_table.columns):
                half = canal_table["width_m"].astype(float) / 2
                values = half + canal_table["setback_m"].astype(float)
                if values.notna().any():
                    setback_default = float(values.max())
                    setback_how = "canal width_m / 2 + setback_m / ครึ่งความกว้างคลอง + ระยะถอยร่น"
        if access_file is not None:
            if access_layer is None and "access" in {n for n, _ in _layout_layers(access_file)}:
                access_layer = "access"
            table, note = _layout_read(
                access_file, "access", source_layer=access_layer, catalog=catalog
            )
            notes += [note] if note else []
            access = [p for g in table.geometry for p in getattr(g, "geoms", [g])]
        if setback is not None:
            setback_how = "--setback"
        elif canal is not None:
            setback = setback_default
        else:
            setback = 0.0
        t0 = time.perf_counter()
        layouts = generate_layouts(
            site,
            households=households,
            canal=canal,
            access=access,
            plot_types=plot_types,
            main_lane_width=main_lane_width,
            lane_width=lane_width,
            setback=setback,
            common_share=common_share,
            options=n_options,
            seed=seed,
            unit_costs=unit_costs or None,
        )
        t_generate = time.perf_counter() - t0
    except ValidationError as exc:
        _echo_problems(exc, "no layout was made", "สร้างผังไม่ได้")
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)

    broken = []
    for lay in layouts:
        point = lay.pattern.get("access_point")
        points = [Point(point)] if point is not None else access
        for p in layout_problems(lay, site, canal=canal, setback=setback, access=points):
            broken.append(f"  - option {lay.option}: {p}")
    if broken:
        click.echo(
            "error / ข้อผิดพลาด: a generated layout breaks its own rules; nothing was written "
            "/ ผังที่สร้างผิดเงื่อนไข ไม่ได้เขียนไฟล์ (please report this)\n" + "\n".join(broken),
            err=True,
        )
        sys.exit(1)

    m0 = layouts[0].metrics
    click.echo(
        f"site / พื้นที่: {site_id}"
        + (f" {name_th} / {name_en}" if name_th != site_id else "")
        + f" — {m0['site_area_m2']:,.0f} m², {households:,} households / ครัวเรือน"
    )
    for note in notes:
        click.echo(f"  reprojected / แปลงพิกัด: {note}")
    if canal is not None:
        click.echo(f"  canal setback / ระยะถอยร่นจากคลอง: {setback:g} m ({setback_how})")
    else:
        click.echo("  no canal given: no setback / ไม่มีข้อมูลคลอง ไม่มีระยะถอยร่น")
    for lay in layouts:
        m = lay.metrics
        short = m["shortfall"]
        verdict = (
            f"{short:,} households do not fit / ขาดอีก {short:,} ครัวเรือน"
            if short
            else "everyone has a plot / ทุกครัวเรือนมีแปลง"
        )
        per_hh = m["cost_per_household_baht"]
        click.echo(f"{lay.name['en']} / {lay.name['th']}")
        click.echo(
            f"  housed {m['households_housed']:,} of {m['households_needed']:,} / มีแปลง "
            f"{m['households_housed']:,} จาก {m['households_needed']:,} — {verdict}"
        )
        click.echo(
            f"  lane {m['lane_length_per_plot_m']:.1f} m per plot / ซอย "
            f"{m['lane_length_per_plot_m']:.1f} ม. ต่อแปลง · "
            + (
                f"{per_hh:,} baht per household / บาทต่อครัวเรือน (illustrative unit costs)"
                if per_hh is not None
                else "no cost per household / ไม่มีค่าต่อครัวเรือน"
            )
        )
    parameters = {
        "plot_types": [f"{t.name}={t.width:g}x{t.depth:g}" for t in plot_types],
        "main_lane_width": main_lane_width,
        "lane_width": lane_width,
        "setback": setback,
        "common_share": common_share,
        "seed": seed,
        "options": n_options,
        "households": households,
        "unit_costs": {**DEFAULT_UNIT_COSTS, **unit_costs},
        "source": source,
    }
    t0 = time.perf_counter()
    write_geopackage(layouts, out, site=site)
    metrics_path = out.with_suffix(".metrics.json")
    data = json.loads(metrics_path.read_text(encoding="utf-8"))
    data = {"site_id": site_id, "parameters": parameters, "reprojected": notes, **data}
    metrics_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out} (plots, lanes, open_space, site) and {metrics_path.name}")
    if dxf_dir is not None:
        dxf_dir.mkdir(parents=True, exist_ok=True)
        for lay in layouts:
            write_dxf(lay, dxf_dir / f"{out.stem}-option{lay.option}.dxf", site=site)
        click.echo(f"wrote {len(layouts)} DXF drawing(s) in {dxf_dir}")
    t_write = time.perf_counter() - t0
    t_pdf = 0.0
    if pdf_path is not None:
        from gis.report.layout_pdf import write_layout_pdf

        t0 = time.perf_counter()
        title_th = f"ทางเลือกผังชุมชน {name_th}" if name_th != site_id else "ทางเลือกผังชุมชน"
        title_en = f"Layout options: {name_en}" if name_en != site_id else "Layout options"
        write_layout_pdf(
            layouts,
            site,
            pdf_path,
            canal=canal,
            setback=setback,
            title_th=title_th,
            title_en=title_en,
            lang=lang,
            site_id=site_id,
            parameters=parameters,
        )
        t_pdf = time.perf_counter() - t0
        click.echo(f"wrote {pdf_path} (A3, {len(layouts) + -(-len(layouts) // 4)} pages)")
    click.echo(
        f"took {time.perf_counter() - started:.2f} s (layouts {t_generate:.2f} s, "
        f"files {t_write:.2f} s" + (f", PDF {t_pdf:.2f} s" if pdf_path else "") + ")"
    )
