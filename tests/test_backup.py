"""Backups that restore (issue 14 item 7; docs/decisions/0024-backups.md), on the store
in use: the embedded one, or PostGIS with DATABASE_URL.

A restored store equals the original (layers, cases, households, documents by checksum,
users, the audit log), also for a backup taken while cases and a layer are being written;
encrypted archives need their passphrase; a changed, cut or foreign archive and a target
that is not empty are refused, and a refusal leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa

from app.application.backup import (
    BackupError,
    BackupRefused,
    Instance,
    make_backup,
    restore_backup,
)
from app.application.backup_archive import HEADER_BYTES
from cases import services
from cases.model import Community, User
from cases.orm import metadata
from cases.store import CaseStore
from gis.store import open_store
from tests.conftest import DATABASE_URL, _drop_schema, _new_schema

OFFICER = User(username="officer", role="officer")
PASSPHRASE = "ขอนแก่น-backup-2567"  # Thai too: NFC, UTF-8


# ------------------------------------------------------------------ helpers


def instance(config: dict) -> Instance:
    return Instance(
        Path(config["PLANNER_HOME"]), config.get("DATABASE_URL"), config.get("DATABASE_SCHEMA")
    )


@pytest.fixture
def target(tmp_path):
    """An empty instance to restore into: a new folder and, on PostGIS, a new schema."""
    schema = _new_schema()
    yield {
        "PLANNER_HOME": str(tmp_path / "restored"),
        "DATABASE_URL": DATABASE_URL,
        "DATABASE_SCHEMA": schema,
    }
    _drop_schema(schema)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain(value):
    if isinstance(value, shapely.Geometry):
        return shapely.to_wkb(value, hex=True)
    return value


def fingerprint(config: dict) -> dict:
    """Everything a restore must bring back, hashed: each layer's rows and geometries, the
    rasters, every case-store table (cases, households, documents, users, the audit log,
    ...), every document file, the import and site-check reports."""
    home = Path(config["PLANNER_HOME"])
    url, schema = config.get("DATABASE_URL"), config.get("DATABASE_SCHEMA")
    store = open_store(home, url, schema=schema)
    layers = {}
    for name in store.layer_names():
        info = store.info(name)
        gdf = store.read(name)
        attributes = gdf.drop(columns=gdf.geometry.name).to_json(orient="records")
        geometries = "".join(shapely.to_wkb(gdf.geometry.values, hex=True))
        layers[name] = (info.version, info.feature_count, info.crs, _sha(attributes.encode()))
        layers[name] += (_sha(geometries.encode()),)
    case_store = CaseStore(home, url, schema=schema)
    tables, rows_of = {}, {}
    with case_store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            rows_of[table.name] = rows
            tables[table.name] = (
                len(rows),
                _sha(repr([tuple(map(_plain, r)) for r in rows]).encode()),
            )
    case_store.dispose()
    documents = {}
    for row in rows_of["documents"]:
        path = home / "documents" / row.sha256[:2] / row.sha256
        documents[row.sha256] = _sha(path.read_bytes()) if path.is_file() else None
    files = {
        p.relative_to(home).as_posix(): _sha(p.read_bytes())
        for folder in ("rasters", "imports", "reports")
        for p in sorted((home / folder).rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }
    return {"layers": layers, "tables": tables, "documents": documents, "files": files}


def table_counts(config: dict) -> dict:
    case_store = CaseStore(
        config["PLANNER_HOME"], config.get("DATABASE_URL"), schema=config.get("DATABASE_SCHEMA")
    )
    with case_store.engine.connect() as conn:
        counts = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in metadata.sorted_tables
        }
    case_store.dispose()
    return counts


def _add_writes(config: dict) -> None:
    """A case, a document, a user and their audit entries, so none of them is empty."""
    case_store = CaseStore(
        config["PLANNER_HOME"], config.get("DATABASE_URL"), schema=config.get("DATABASE_SCHEMA")
    )
    case = services.create_case(
        case_store.uow(),
        OFFICER,
        community_id="KPP-CC-01",
        case_type="baan_mankong",
        title_th="กรณีก่อนสำรองข้อมูล",
        ref="BACKUP-0001",
    )
    services.upload_document(
        case_store.uow(),
        OFFICER,
        case.id,
        kind="layout_plan",
        filename="ผังชุมชน.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 backup test " + uuid.uuid4().bytes,
    )
    services.add_user(case_store.uow(), "backup.officer", "a-long-passphrase-1", "officer")
    case_store.dispose()


def _drop_source(config: dict) -> None:
    """On PostGIS, the source's schemas go (a lost server): a restore under another schema
    name needs the backup's own names free in the target database."""
    _drop_schema(config.get("DATABASE_SCHEMA"))


def _nothing_left(tmp_path: Path, config: dict) -> None:
    """After a refusal: no target folder, no restore leftovers, no schema made."""
    home = Path(config["PLANNER_HOME"])
    assert not home.exists()
    assert not [p for p in home.parent.iterdir() if ".restore-" in p.name]
    if DATABASE_URL:
        engine = sa.create_engine(DATABASE_URL.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            names = {r[0] for r in conn.execute(sa.text("SELECT nspname FROM pg_namespace"))}
        engine.dispose()
        assert config["DATABASE_SCHEMA"] not in names
        assert f"{config['DATABASE_SCHEMA']}_layers" not in names


@pytest.fixture
def small_config(store_config):
    """A small instance: one community and case, two documents (one of 1.5 MB, so an
    encrypted archive has more than one chunk), one three-point layer."""
    import geopandas as gpd

    home = Path(store_config["PLANNER_HOME"])
    url, schema = store_config["DATABASE_URL"], store_config["DATABASE_SCHEMA"]
    case_store = CaseStore(home, url, schema=schema)
    with case_store.uow() as uow:
        uow.repo.add_communities(
            [Community("C1", "ชุมชนทดสอบ", "Test", "Lak Si", "หลักสี่", "กรุงเทพมหานคร", "10", "1041")]
        )
        uow.commit()
    case = services.create_case(
        case_store.uow(), OFFICER, community_id="C1", case_type="baan_mankong", title_th="ทดสอบ"
    )
    services.upload_document(
        case_store.uow(),
        OFFICER,
        case.id,
        kind="layout_plan",
        filename="plan.txt",
        content_type="text/plain",
        data=b"tamper-me-please " * 40,
    )
    services.upload_document(
        case_store.uow(),
        OFFICER,
        case.id,
        kind="land_title",
        filename="title.jpg",
        content_type="image/jpeg",
        data=os.urandom(1_500_000),
    )
    case_store.dispose()
    points = gpd.GeoDataFrame(
        {"name_th": ["ก", "ข", "ค"]},
        geometry=gpd.points_from_xy([670000, 670100, 670200], [1530000, 1530100, 1530200]),
        crs="EPSG:32647",
    )
    open_store(home, url, schema=schema).write("disaster_sites", points)
    return store_config


# ------------------------------------------------------------------ round trips


def test_a_restored_store_equals_the_original(writable_config, target, tmp_path):
    _add_writes(writable_config)
    (Path(writable_config["PLANNER_HOME"]) / "secret_key").write_text("0" * 64)
    before = fingerprint(writable_config)
    assert before["tables"]["users"][0] >= 5 and before["tables"]["audit_log"][0] >= 2
    assert before["tables"]["households"][0] > 6000 and before["documents"]
    assert None not in before["documents"].values()

    started = time.perf_counter()
    made = make_backup(instance(writable_config), tmp_path / "instance.backup")
    backup_s = time.perf_counter() - started
    manifest = made.manifest
    assert manifest["format_version"] == 2 and manifest["store"]["kind"] == (
        "postgis" if DATABASE_URL else "sqlite"
    )
    assert manifest["created_at"].endswith("Z") and manifest["left_out"] == ["secret_key"]
    names = {m["name"] for m in manifest["members"]}
    assert {f"documents/{s[:2]}/{s}" for s in before["documents"]} <= names
    assert "rasters/flood_depth.tif" in names and "secret_key" not in names
    with tarfile.open(made.path) as tar:  # a plain tar, manifest first
        assert tar.getnames()[0] == "manifest.json"

    _drop_source(writable_config)
    started = time.perf_counter()
    restored = restore_backup(made.path, instance(target))
    restore_s = time.perf_counter() - started
    after = fingerprint(target)
    assert after == before
    assert not (Path(target["PLANNER_HOME"]) / "secret_key").exists()
    assert table_counts(target) == {
        k: v for k, v in manifest["counts"]["database"].items() if k != "alembic_version"
    }
    print(
        f"\nbackup {backup_s:.2f} s, {made.size / 1e6:.1f} MB; restore {restore_s:.2f} s"
        f" ({restored.home})"
    )


def test_an_encrypted_backup_needs_its_passphrase(small_config, tmp_path, monkeypatch):
    from app.application import backup_archive

    monkeypatch.setattr(backup_archive, "SCRYPT_LOG2_N", 14)  # fast here; the CLI test uses 17
    before = fingerprint(small_config)
    made = make_backup(instance(small_config), tmp_path / "b.enc", passphrase=PASSPHRASE)
    data = made.path.read_bytes()
    assert data.startswith(b"PLNRBKUP") and made.encrypted and len(data) > 1 << 20
    assert b"manifest.json" not in data and b"tamper-me-please" not in data
    _drop_source(small_config)  # then restored under the same schema name on PostGIS
    again = dict(small_config, PLANNER_HOME=str(tmp_path / "again"))

    for passphrase, key in (
        (None, "backup.needs_passphrase"),
        ("wrong one!", "backup.wrong_passphrase"),
    ):
        with pytest.raises(BackupRefused) as refused:
            restore_backup(made.path, instance(again), passphrase=passphrase)
        assert refused.value.key == key
        assert refused.value.message_th and refused.value.message_en
        _nothing_left(tmp_path, again)

    # A changed byte in the sealed data, or a cut archive: refused as damaged.
    for name, changed in (
        (
            "flipped",
            data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1 :],
        ),
        ("cut", data[: len(data) - 1000]),
        ("cut at a chunk", data[: HEADER_BYTES + (1 << 20) + 16]),
    ):
        (tmp_path / name).write_bytes(changed)
        with pytest.raises(BackupRefused) as refused:
            restore_backup(tmp_path / name, instance(again), passphrase=PASSPHRASE)
        assert refused.value.key == "backup.damaged", name
        _nothing_left(tmp_path, again)

    restore_backup(made.path, instance(again), passphrase=PASSPHRASE)
    assert fingerprint(again) == before


def test_a_backup_under_write_load_restores_one_point_in_time(writable_config, target, tmp_path):
    """Cases with a document each, and a layer, are written all through the backup; the
    restored store is the source at one moment: the cases written are a prefix of those
    made, each with its document (but maybe the last), the layer is one version of those
    written, and every count is the manifest's."""
    config = writable_config
    home = Path(config["PLANNER_HOME"])
    url, schema = config["DATABASE_URL"], config["DATABASE_SCHEMA"]
    case_store = CaseStore(home, url, schema=schema)
    layer_store = open_store(home, url, schema=schema)
    railway = layer_store.read("railway")
    base_x = railway.geometry.iloc[0].centroid.x
    made_cases: list[tuple[str, str | None]] = []
    layer_shift: dict[int, int] = {}
    stop, errors = threading.Event(), []

    def write_cases():
        try:
            i = 0
            while not stop.is_set():
                i += 1
                ref = f"LOAD-{i:04d}"
                case = services.create_case(
                    case_store.uow(),
                    OFFICER,
                    community_id="KPP-CC-02",
                    case_type="baan_mankong",
                    title_th=f"กรณีระหว่างสำรอง {i}",
                    ref=ref,
                )
                made_cases.append((ref, None))
                document = services.upload_document(
                    case_store.uow(),
                    OFFICER,
                    case.id,
                    kind="forum_minutes",
                    filename=f"minutes-{i}.txt",
                    content_type="text/plain",
                    data=f"minutes {i} {uuid.uuid4()}".encode(),
                )
                made_cases[-1] = (ref, document.sha256)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    def write_layer():
        try:
            j = 0
            while not stop.is_set():
                j += 1
                shifted = railway.copy()
                shifted["geometry"] = railway.geometry.translate(xoff=j)
                layer_shift[layer_store.write("railway", shifted).version] = j
                time.sleep(0.02)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write_cases), threading.Thread(target=write_layer)]
    for thread in threads:
        thread.start()
    try:
        while len(made_cases) < 5 and not errors:
            time.sleep(0.01)
        at_start = len(made_cases)
        made = make_backup(instance(config), tmp_path / "loaded.backup")
        at_end = len(made_cases)
        deadline = time.monotonic() + 10
        while len(made_cases) < at_end + 3 and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    case_store.dispose()
    assert not errors, errors
    assert at_end > at_start, "no case was written while the backup ran"

    _drop_source(config)
    restore_backup(made.path, instance(target))
    after = fingerprint(target)
    manifest = made.manifest
    assert {k: n for k, (n, _) in after["tables"].items()} == {
        k: v for k, v in manifest["counts"]["database"].items() if k != "alembic_version"
    }
    assert None not in after["documents"].values()  # every document referred to is there
    assert all(_sha(b"") != v for v in after["documents"].values())
    assert len(after["documents"]) == manifest["counts"]["documents"]

    restored_store = CaseStore(
        target["PLANNER_HOME"], target["DATABASE_URL"], schema=target["DATABASE_SCHEMA"]
    )
    with restored_store.engine.connect() as conn:
        refs = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT ref FROM cases WHERE ref LIKE 'LOAD-%' ORDER BY ref")
            )
        ]
        shas = {r[0] for r in conn.execute(sa.text("SELECT sha256 FROM documents"))}
    restored_store.dispose()
    k = len(refs)
    assert at_start <= k <= len(made_cases)
    assert refs == [ref for ref, _ in made_cases[:k]]  # a prefix: one moment
    with_document = [sha in shas for _, sha in made_cases[:k]]
    assert all(with_document[:-1])  # the last case's document may have come after
    assert not any(sha in shas for _, sha in made_cases[k:] if sha)

    layers = open_store(target["PLANNER_HOME"], DATABASE_URL, schema=target["DATABASE_SCHEMA"])
    version = layers.info("railway").version
    shift = layer_shift.get(version, 0)  # version 1 is the sample's own
    restored_x = layers.read("railway").geometry.iloc[0].centroid.x
    assert restored_x == pytest.approx(base_x + shift, abs=1e-6)
    if not DATABASE_URL:
        with sqlite3.connect(Path(target["PLANNER_HOME"]) / "planner.sqlite") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []


# ------------------------------------------------------------------ refusals


def test_a_changed_or_foreign_plain_archive_is_refused(small_config, target, tmp_path):
    made = make_backup(instance(small_config), tmp_path / "small.tar")
    _drop_source(small_config)
    data = made.path.read_bytes()
    at = data.index(b"tamper-me-please")

    def refused(name: str, content: bytes) -> BackupRefused:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(BackupRefused) as caught:
            restore_backup(tmp_path / name, instance(target))
        _nothing_left(tmp_path, target)
        return caught.value

    error = refused("flipped.tar", data[:at] + b"T" + data[at + 1 :])
    assert error.key == "backup.damaged" and "sha256" in error.message_en
    assert refused("cut.tar", data[: len(data) // 2]).key == "backup.damaged"
    assert refused("not-a-backup.tar", b"just some text\n" * 100).key == "backup.not_a_backup"

    # An extra member, a path out of the folder, a newer format: refused.
    with tarfile.open(made.path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))

    def rebuilt(manifest: dict, extra: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with tarfile.open(made.path) as old, tarfile.open(fileobj=out, mode="w") as new:
            body = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            new.addfile(info, io.BytesIO(body))
            for member in old.getmembers()[1:]:
                new.addfile(member, old.extractfile(member))
            for name, content in extra.items():
                info = tarfile.TarInfo(name)
                info.size = len(content)
                new.addfile(info, io.BytesIO(content))
        return out.getvalue()

    assert refused("extra.tar", rebuilt(manifest, {"planner.sqlite.bak": b"x"})).key == (
        "backup.damaged"
    )
    escape = dict(
        manifest,
        members=[*manifest["members"], {"name": "../evil", "size": 1, "sha256": _sha(b"x")}],
    )
    assert refused("escape.tar", rebuilt(escape, {"../evil": b"x"})).key == "backup.damaged"
    assert not (tmp_path / "evil").exists()
    newer = dict(manifest, format_version=99)
    assert refused("newer.tar", rebuilt(newer, {})).key == "backup.newer_format"

    # A plain archive offered with a passphrase: not taken for an authenticated one.
    with pytest.raises(BackupRefused) as caught:
        restore_backup(made.path, instance(target), passphrase=PASSPHRASE)
    assert caught.value.key == "backup.not_encrypted" and caught.value.message_th
    _nothing_left(tmp_path, target)

    # A GNU sparse member: a few bytes in the archive that would expand to 50 MB on disk.
    # Refused as a member of the wrong kind, before a byte of it is written.
    sparse_dir = tmp_path / "sparse"
    sparse_dir.mkdir()
    with open(sparse_dir / "planner.sqlite", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    size = 50 * 1024 * 1024
    bomb_manifest = dict(
        manifest, members=[{"name": "planner.sqlite", "size": size, "sha256": _sha(b"")}]
    )
    body = json.dumps(bomb_manifest).encode()
    (sparse_dir / "manifest.json").write_bytes(body)
    bomb = tmp_path / "bomb.tar"
    subprocess.run(
        ["tar", "--sparse", "--format=gnu", "-cf", str(bomb), "manifest.json", "planner.sqlite"],
        cwd=sparse_dir,
        check=True,
    )
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(BackupRefused) as caught:
        restore_backup(bomb, instance(target))
    assert caught.value.key == "backup.damaged" and "unexpected member" in caught.value.message_en
    _nothing_left(tmp_path, target)

    # Untouched, it restores.
    restore_backup(made.path, instance(target))
    assert table_counts(target)["documents"] == 2


def test_an_encrypted_header_cannot_ask_for_gigabytes():
    """scrypt's cost is in the header, read before the passphrase is checked: a made-up
    one asking for 16 GiB (N = 2^22, r = 32) is refused as damaged, at once."""
    from app.application import backup_archive as ba

    salt, prefix = b"s" * 16, b"p" * 7
    fields = (ba.MAGIC, ba.CONTAINER_VERSION, ba.KDF_SCRYPT)
    header = ba._HEAD.pack(*fields, 22, 32, 16, 1 << 20, salt, prefix)
    header += b"\0" * (ba.HEADER_BYTES - len(header))
    with pytest.raises(BackupRefused) as caught:
        ba.DecryptingReader(io.BytesIO(header), PASSPHRASE)
    assert caught.value.key == "backup.damaged"


def test_only_an_empty_target_is_restored_into(small_config, target, tmp_path):
    made = make_backup(instance(small_config), tmp_path / "small.tar")
    home = Path(target["PLANNER_HOME"])
    home.mkdir()
    (home / "notes.txt").write_text("keep me")
    with pytest.raises(BackupRefused) as refused:
        restore_backup(made.path, instance(target))
    assert (
        refused.value.key == "backup.target_not_empty" and "notes.txt" in refused.value.message_th
    )
    assert [p.name for p in home.iterdir()] == ["notes.txt"]
    (home / "notes.txt").unlink()  # an empty folder is fine

    if DATABASE_URL:  # a schema with a table in it is not empty
        _drop_source(small_config)
        engine = sa.create_engine(DATABASE_URL.replace("postgresql://", "postgresql+psycopg://"))
        schema = target["DATABASE_SCHEMA"]
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            conn.execute(sa.text(f"CREATE TABLE {schema}.mine (id int)"))
            conn.execute(sa.text(f"INSERT INTO {schema}.mine VALUES (7)"))
        with pytest.raises(BackupRefused) as refused:
            restore_backup(made.path, instance(target))
        assert refused.value.key == "backup.schema_not_empty"
        with engine.begin() as conn:
            assert conn.execute(sa.text(f"SELECT id FROM {schema}.mine")).scalar() == 7
            conn.execute(sa.text(f"DROP TABLE {schema}.mine"))
        engine.dispose()
        assert [p.name for p in home.iterdir()] == []

    restore_backup(made.path, instance(target))
    assert (home / "documents").is_dir()
    assert oct(home.stat().st_mode & 0o777) == "0o700"


def test_a_copy_next_to_its_live_source(small_config, target, tmp_path):
    """On PostGIS a copy would share its live source's schema names in one database:
    refused, naming the schema. The embedded store has no shared names: the copy is
    restored into its own folder. Either way the source is as it was."""
    made = make_backup(instance(small_config), tmp_path / "small.tar")
    if DATABASE_URL:
        with pytest.raises(BackupRefused) as refused:
            restore_backup(made.path, instance(target))
        assert refused.value.key == "backup.schema_taken"
        assert small_config["DATABASE_SCHEMA"] in refused.value.message_en
        _nothing_left(tmp_path, target)
    else:
        restore_backup(made.path, instance(target))
        assert table_counts(target) == table_counts(small_config)
    assert table_counts(small_config)["cases"] == 1  # the source is as it was


def test_a_backup_restores_only_into_its_own_kind_of_store(tmp_path):
    home = tmp_path / "embedded"
    CaseStore(home).dispose()
    made = make_backup(Instance(home), tmp_path / "embedded.tar")
    with pytest.raises(BackupRefused) as refused:
        restore_backup(made.path, Instance(tmp_path / "pg", "postgresql://nobody@127.0.0.1/none"))
    assert refused.value.key == "backup.kind_is_sqlite"
    assert not (tmp_path / "pg").exists()


def test_a_backup_refuses_missing_documents_and_never_overwrites(small_config, tmp_path):
    source = instance(small_config)
    out = tmp_path / "kept.tar"
    out.write_bytes(b"an older backup")
    with pytest.raises(BackupRefused) as refused:
        make_backup(source, out)
    assert refused.value.key == "backup.out_exists" and out.read_bytes() == b"an older backup"

    with pytest.raises(BackupRefused) as refused:
        make_backup(source, tmp_path / "short.tar", passphrase="short")
    assert refused.value.key == "backup.passphrase_short"

    lost = next(p for p in (source.home / "documents").rglob("*") if p.is_file())
    lost.unlink()
    with pytest.raises(BackupError) as failed:
        make_backup(source, tmp_path / "new.tar")
    assert failed.value.key == "backup.missing_documents" and lost.name[:12] in str(failed.value)
    assert not (tmp_path / "new.tar").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert not list(source.home.glob(".backup-*"))


# ------------------------------------------------------------------ the command line


def _planner(*args, home, config, stdin=None):
    """`planner ...` as a user runs it: a real process."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PLANNER_DATABASE_SCHEMA")
    }
    env["PLANNER_HOME"] = str(home)
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _planner_here(*args, config, stdin=None):
    """`planner ...` in this process (click's runner): the same code, without a start-up."""
    from click.testing import CliRunner

    from app.cli import main

    env = {
        "DATABASE_URL": config.get("DATABASE_URL"),
        "PLANNER_DATABASE_SCHEMA": config.get("DATABASE_SCHEMA"),
        "PLANNER_ERASURE_JOURNAL": None,
    }
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def test_the_commands_back_up_and_restore_in_thai_and_english(small_config, tmp_path):
    """`planner backup --passphrase-file` (a real process, the real scrypt cost) and
    `planner restore --passphrase-stdin`."""
    source = Path(small_config["PLANNER_HOME"])
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    out = tmp_path / "cli.backup"
    done = _planner(
        "backup",
        "--out",
        str(out),
        "--passphrase-file",
        str(secret),
        home=source,
        config=small_config,
    )
    assert done.returncode == 0, done.stderr
    assert "backup written" in done.stdout and "สร้างไฟล์สำรองข้อมูล" in done.stdout
    assert "AES-256-GCM" in done.stdout

    _drop_source(small_config)  # restored under the same schema name on PostGIS
    home = tmp_path / "from-cli"
    restore = ("restore", str(out), "--home", str(home), "--passphrase-stdin")
    wrong = _planner_here(*restore, config=small_config, stdin="not it\n")
    assert wrong.exit_code == 2
    assert "wrong passphrase" in wrong.stderr and "รหัสผ่านไม่ถูกต้อง" in wrong.stderr
    assert not home.exists()
    both = _planner_here(*restore, "--passphrase-file", str(secret), config=small_config)
    assert both.exit_code == 2 and "--passphrase-stdin" in both.stderr and not home.exists()
    right = _planner_here(*restore, config=small_config, stdin=PASSPHRASE + "\n")
    assert right.exit_code == 0, right.output
    assert "restored" in right.stdout and "กู้คืน" in right.stdout
    # No journal given: said in both languages, and restored all the same.
    assert (
        "no erasure journal was given" in right.stderr and "PLANNER_ERASURE_JOURNAL" in right.stderr
    )
    assert "ไม่ได้ระบุบันทึกการลบข้อมูล" in right.stderr
    assert table_counts(dict(small_config, PLANNER_HOME=str(home)))["documents"] == 2


@pytest.mark.parametrize(
    "url, uri, password",
    [
        # The socket, as CI and Debian's peer auth use it: no host part, host in the query.
        (
            "postgresql:///planner_test?host=/var/run/postgresql",
            "postgresql:///planner_test?host=%2Fvar%2Frun%2Fpostgresql",
            None,
        ),
        (
            "postgresql://postgres:s3cr%40t@127.0.0.1:5432/db",
            "postgresql://postgres@127.0.0.1:5432/db",
            "s3cr@t",
        ),
        (
            "postgresql+psycopg://u@h/db?password=x&sslmode=require",
            "postgresql://u@h/db?sslmode=require",
            "x",
        ),
    ],
)
def test_the_database_url_reaches_pg_dump_without_its_password(url, uri, password, monkeypatch):
    """pg_dump and psql get a libpq URI that keeps `//` (else libpq reads the rest as an
    option) and never the password, which goes in PGPASSWORD, out of `ps`."""
    from app.application.backup import _libpq

    monkeypatch.delenv("PGPASSWORD", raising=False)
    got, env = _libpq(url)
    assert got == uri and env.get("PGPASSWORD") == password


# ------------------------------------------------------------------ the erasure journal

ERASED_CASE = "KPP-LS-03"  # a case of the sample, in a community of its own


def _household(store: CaseStore, n: int, head: str, form: bytes) -> int:
    """A surveyed household with two members by name and a signed consent form (a
    document of its own): what an erasure takes away."""
    from cases import register
    from cases.services.surveys import SurveyRecord

    with store.uow() as uow:
        case = uow.repo.get_case_by_ref(ERASED_CASE)
    today = services.today_in_thailand()
    record = SurveyRecord(
        row=n + 1,
        instance_id=f"uuid:backup-erase-{n:04d}",
        form_version=register.REGISTER_VERSION,
        case_ref=ERASED_CASE,
        values={
            "consent_given": "yes",
            "consent_on": today.isoformat(),
            "consent_by": "อาสาสมัคร สำรองข้อมูล",
            "head_name": head,
            "phone": f"08912345{n:02d}",
        },
    )
    report = services.import_survey(store.uow(), OFFICER, case.id, [record], apply=True)
    assert report.counts()["new"] == 1, report.results[0].reasons
    hh = next(
        h for h in services.list_households(store.uow(), OFFICER, case.id) if h.head_name == head
    )
    document = {"filename": f"ยินยอม-{n}.pdf", "content_type": "application/pdf", "data": form}
    hh, _ = services.record_consent(
        store.uow(),
        OFFICER,
        hh.id,
        scope="general",
        on=today,
        taken_by="พยาน",
        new_document=document,
    )
    members = [
        {"name": head, "sex": "female", "birth_year": 2511, "relation": "head"},
        {"name": f"{head} คู่สมรส", "sex": "male", "birth_year": 2509, "relation": "spouse"},
    ]
    services.set_members(store.uow(), OFFICER, hh.id, members, hh.version)
    return hh.id


def _erase(store: CaseStore, household_id: int, journal: Path) -> None:
    from app.application.erasure import erase

    erase(store.uow, OFFICER, household_id, reason="คำขอลบ (มาตรา 33)", journal=journal)


@pytest.fixture
def erased_around_a_backup(sample_cases_store, store_config, tmp_path, monkeypatch):
    """Household A erased before the backup, household B after it, both journalled."""
    from app.application import backup

    monkeypatch.setattr(backup, "IN_FLIGHT_SECONDS", 0)  # A is settled: `through` covers it
    store, journal = sample_cases_store, tmp_path / "elsewhere" / "erasures.jsonl"
    forms = {k: f"%PDF-1.4 consent of {k} {uuid.uuid4()}".encode() for k in "AB"}
    a = _household(store, 1, "นางก่อนสำรอง ลบแล้ว", forms["A"])
    b = _household(store, 2, "นายหลังสำรอง ต้องลบซ้ำ", forms["B"])
    _erase(store, a, journal)
    made = make_backup(instance(store_config), tmp_path / "before-b.tar", journal=journal)
    assert made.manifest["format_version"] == 2 and made.manifest["erasures"] == {"through": 1}
    _erase(store, b, journal)
    store.dispose()
    _drop_source(store_config)
    return {"archive": made.path, "journal": journal, "ids": (a, b), "forms": forms}


def _restore_here(archive: Path, home: Path, config: dict, *journal: str):
    return _planner_here("restore", str(archive), "--home", str(home), *journal, config=config)


def _erased_in(config: dict, household_id: int, head: str, form: bytes) -> None:
    """The household is erased in the restored store: no name, no member, no document
    file, and its head's name is in no byte of the folder or the database."""
    store = CaseStore(
        config["PLANNER_HOME"], config.get("DATABASE_URL"), schema=config.get("DATABASE_SCHEMA")
    )
    erased = services.get_household(store.uow(), OFFICER, household_id)
    assert erased.erased_at is not None and erased.head_name == ""
    assert services.list_members(store.uow(), OFFICER, household_id) == []
    with store.engine.connect() as conn:  # every row of every table
        rows = [
            repr(tuple(r))
            for table in metadata.sorted_tables
            for r in conn.execute(sa.select(table))
        ]
    store.dispose()
    assert not [r for r in rows if head in r]
    home = Path(config["PLANNER_HOME"])
    assert not (home / "documents" / _sha(form)[:2] / _sha(form)).exists()
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert head.encode() not in data and form not in data, path


def test_an_erasure_after_the_backup_is_replayed_on_restore(erased_around_a_backup, target):
    """(b) B, erased after the backup, is erased again in the restored store; A, erased
    before it, is in the backup's position and not replayed (c)."""
    done = erased_around_a_backup
    home = Path(target["PLANNER_HOME"])
    result = _restore_here(done["archive"], home, target, "--erasures", str(done["journal"]))
    assert result.exit_code == 0, result.output
    assert "1 entries after the backup's position 1; 1 households erased again" in result.stdout
    assert "ลบครัวเรือนซ้ำ 1 ครัวเรือน" in result.stdout
    a, b = done["ids"]
    _erased_in(target, b, "นายหลังสำรอง ต้องลบซ้ำ", done["forms"]["B"])
    _erased_in(target, a, "นางก่อนสำรอง ลบแล้ว", done["forms"]["A"])
    # The restored instance goes on with the same journal (PLANNER_ERASURE_JOURNAL unset).
    kept = home / "erasures.jsonl"
    assert kept.read_bytes() == done["journal"].read_bytes()
    assert "the erasure journal was copied to" in result.stdout
    assert oct(home.stat().st_mode & 0o777) == "0o700"
    assert oct(kept.stat().st_mode & 0o777) == "0o600"


def test_an_erasure_before_the_backup_is_not_replayed(erased_around_a_backup, target):
    """(c) Only A's entry in the journal (B's cut off the end, as if it came later): the
    backup's position covers it, nothing is replayed, and A stays erased."""
    done = erased_around_a_backup
    journal = done["journal"].with_name("only-a.jsonl")
    journal.write_text(done["journal"].read_text().splitlines()[0] + "\n")
    home = Path(target["PLANNER_HOME"])
    result = _restore_here(done["archive"], home, target, "--erasures", str(journal))
    assert result.exit_code == 0, result.output
    assert "0 entries after the backup's position 1; 0 households erased again" in result.stdout
    a, b = done["ids"]
    _erased_in(target, a, "นางก่อนสำรอง ลบแล้ว", done["forms"]["A"])
    store = CaseStore(home, target["DATABASE_URL"], schema=target["DATABASE_SCHEMA"])
    assert services.get_household(store.uow(), OFFICER, b).head_name == "นายหลังสำรอง ต้องลบซ้ำ"
    store.dispose()


def test_a_format_1_backup_replays_the_whole_journal(erased_around_a_backup, target, tmp_path):
    """(d) A format 1 archive has no position: every entry is replayed (A's again, which
    changes nothing, and B's)."""
    done = erased_around_a_backup
    old = tmp_path / "format-1.tar"
    with tarfile.open(done["archive"]) as tar, tarfile.open(old, "w") as new:
        manifest = json.load(tar.extractfile("manifest.json"))
        del manifest["erasures"]
        manifest["format_version"] = 1
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        new.addfile(info, io.BytesIO(body))
        for member in tar.getmembers()[1:]:
            new.addfile(member, tar.extractfile(member))
    restored = restore_backup(old, instance(target), journal=done["journal"])
    assert (restored.replay.through, restored.replay.entries, restored.replay.erased) == (0, 2, 1)
    a, b = done["ids"]
    _erased_in(target, b, "นายหลังสำรอง ต้องลบซ้ำ", done["forms"]["B"])


def test_a_cut_journal_refuses_the_restore(erased_around_a_backup, target, tmp_path):
    """(e) A journal with an entry cut out: refused in both languages, nothing restored."""
    done = erased_around_a_backup
    lines = done["journal"].read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text(lines[1] + "\n")  # entry 1 gone
    home = Path(target["PLANNER_HOME"])
    result = _restore_here(done["archive"], home, target, "--erasures", str(cut))
    assert result.exit_code == 2
    assert "erasure journal" in result.stderr and "nothing was restored" in result.stderr
    assert "บันทึกการลบข้อมูล" in result.stderr
    _nothing_left(tmp_path, target)


def test_a_damaged_journal_stops_a_backup(small_config, tmp_path):
    journal = tmp_path / "erasures.jsonl"
    journal.write_text('{"seq": 2, "not": "a journal"}\n')
    with pytest.raises(BackupRefused) as refused:
        make_backup(instance(small_config), tmp_path / "b.tar", journal=journal)
    assert refused.value.key == "backup.journal_damaged" and refused.value.message_th
    assert not (tmp_path / "b.tar").exists()


def test_a_failed_replay_leaves_nothing_restored(
    erased_around_a_backup, target, tmp_path, monkeypatch
):
    """A replay that fails (after pg_restore on PostGIS) undoes the whole restore."""
    from app.application import backup

    def broken(*args, **kwargs):
        raise RuntimeError("the replay failed")

    monkeypatch.setattr(backup, "replay_journal", broken)
    done = erased_around_a_backup
    with pytest.raises(RuntimeError):
        restore_backup(done["archive"], instance(target), journal=done["journal"])
    _nothing_left(tmp_path, target)
