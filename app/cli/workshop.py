"""`planner layout`: community layout options for a site."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from app.cli.common import (
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
    from app.application import workshop

    started = time.perf_counter()
    _layout_check_outputs(out, pdf_path)
    try:
        chosen = workshop.choose_site(
            _open_store,
            site_spec,
            load_catalog(),
            case_community=_layout_case_community,
            households=households,
            crs=crs,
            canal=canal_path,
            access=access_path,
        )
        if chosen.via_case:
            click.echo(f"case {site_spec} → community {chosen.via_case} / กรณีของชุมชน")
        params = _layout_parameters(chosen, plot_specs, unit_cost_specs, setback)
        params.update(main_lane_width=main_lane_width, lane_width=lane_width)
        params.update(common_share=common_share, options=n_options, seed=seed)
        t0 = time.perf_counter()
        layouts = workshop.generate_options(chosen.site, params)
        t_generate = time.perf_counter() - t0
    except ValidationError as exc:
        _echo_problems(exc, "no layout was made", "สร้างผังไม่ได้")
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    broken = workshop.broken_rules(layouts, chosen.site, params["setback"])
    if broken:
        click.echo(
            "error / ข้อผิดพลาด: a generated layout breaks its own rules; nothing was written "
            "/ ผังที่สร้างผิดเงื่อนไข ไม่ได้เขียนไฟล์ (please report this)\n"
            + "\n".join(f"  - {line}" for line in broken),
            err=True,
        )
        sys.exit(1)
    _layout_echo(chosen, layouts, params)
    timings = _layout_write(chosen, layouts, params, out, pdf_path, dxf_dir, lang)
    click.echo(
        f"took {time.perf_counter() - started:.2f} s (layouts {t_generate:.2f} s, "
        f"files {timings[0]:.2f} s" + (f", PDF {timings[1]:.2f} s" if pdf_path else "") + ")"
    )


def _layout_check_outputs(out: Path, pdf_path: Path | None) -> None:
    if out.suffix.lower() != ".gpkg":
        _fail(PlannerError("--out must be a .gpkg file / --out ต้องเป็นไฟล์ .gpkg"))
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        _fail(PlannerError("--pdf must be a .pdf file / --pdf ต้องเป็นไฟล์ .pdf"))


def _layout_parameters(chosen, plot_specs, unit_cost_specs, setback) -> dict:
    """The generator's parameters from the command line; the setback, when not given, is
    the site's (its canal's rule), or none without a canal."""
    from gis.layout import DEFAULT_PLOT_TYPES, DEFAULT_UNIT_COSTS, parse_plot_type

    plot_types = tuple(parse_plot_type(p) for p in plot_specs) or DEFAULT_PLOT_TYPES
    names = [t.name for t in plot_types]
    if len(set(names)) != len(names):
        raise PlannerError(f"--plot names must differ ({', '.join(names)}) / ชื่อแบบแปลงซ้ำกัน")
    unit_costs = dict(DEFAULT_UNIT_COSTS)
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
    site = chosen.site
    if setback is not None:
        chosen.setback_how = "--setback"
    else:
        setback = site.setback_from_centreline_m if len(site.canal) else 0.0
    return {
        "households": site.households,
        "_plot_types": plot_types,
        "setback": setback,
        "unit_costs": unit_costs,
    }


def _layout_echo(chosen, layouts, params) -> None:
    """What was made: the site, its setback, and each option's households and costs."""
    site = chosen.site
    m0 = layouts[0].metrics
    click.echo(
        f"site / พื้นที่: {site.site_id}"
        + (f" {site.name_th} / {site.name_en}" if site.name_th != site.site_id else "")
        + f" — {m0['site_area_m2']:,.0f} m², {site.households:,} households / ครัวเรือน"
    )
    for note in chosen.notes:
        click.echo(f"  reprojected / แปลงพิกัด: {note}")
    if len(site.canal):
        click.echo(
            f"  canal setback / ระยะถอยร่นจากคลอง: {params['setback']:g} m ({chosen.setback_how})"
        )
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


def _layout_write(chosen, layouts, params, out, pdf_path, dxf_dir, lang) -> tuple[float, float]:
    """The GeoPackage with its metrics JSON, the DXF drawings and the PDF; their times."""
    from gis.layout import write_dxf, write_geopackage

    site = chosen.site
    parameters = {
        "plot_types": [f"{t.name}={t.width:g}x{t.depth:g}" for t in params["_plot_types"]],
        **{k: params[k] for k in ("main_lane_width", "lane_width", "setback", "common_share")},
        "seed": params["seed"],
        "options": params["options"],
        "households": site.households,
        "unit_costs": params["unit_costs"],
        "source": chosen.source,
    }
    t0 = time.perf_counter()
    write_geopackage(layouts, out, site=site.site)
    metrics_path = out.with_suffix(".metrics.json")
    data = json.loads(metrics_path.read_text(encoding="utf-8"))
    data = {"site_id": site.site_id, "parameters": parameters, "reprojected": chosen.notes, **data}
    metrics_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out} (plots, lanes, open_space, site) and {metrics_path.name}")
    if dxf_dir is not None:
        dxf_dir.mkdir(parents=True, exist_ok=True)
        for lay in layouts:
            write_dxf(lay, dxf_dir / f"{out.stem}-option{lay.option}.dxf", site=site.site)
        click.echo(f"wrote {len(layouts)} DXF drawing(s) in {dxf_dir}")
    t_write = time.perf_counter() - t0
    if pdf_path is None:
        return t_write, 0.0
    from app.cli.jobs import terminal_progress
    from gis.report.layout_pdf import write_layout_pdf

    t0 = time.perf_counter()
    named = site.name_th != site.site_id
    with terminal_progress(pdf_path.name) as progress:
        write_layout_pdf(
            layouts,
            site.site,
            pdf_path,
            canal=site.canal if len(site.canal) else None,
            setback=params["setback"],
            title_th=f"ทางเลือกผังชุมชน {site.name_th}" if named else "ทางเลือกผังชุมชน",
            title_en=f"Layout options: {site.name_en}"
            if site.name_en != site.site_id
            else "Layout options",
            lang=lang,
            site_id=site.site_id,
            parameters=parameters,
            progress=progress,
        )
    click.echo(f"wrote {pdf_path} (A3, {len(layouts) + -(-len(layouts) // 4)} pages)")
    return t_write, time.perf_counter() - t0
