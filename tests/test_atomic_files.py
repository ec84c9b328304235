"""gis/atomic.py, the one rule for files other processes and app servers read, and the
shared folder the app keeps them in (docs/decisions/0031). Real processes, real files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app import create_app
from gis.atomic import atomic_dir, atomic_file, create_once, write_atomic

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


def test_servers_starting_together_agree_on_one_key(tmp_path):
    """Eight processes race to make the key: all read the same, whole, private file."""
    code = """
        import secrets, sys
        from pathlib import Path
        from gis.atomic import create_once
        print(create_once(Path(sys.argv[1]), secrets.token_hex(32)).decode())
    """
    path = tmp_path / "secret_key"
    processes = [_python(code, str(path)) for _ in range(8)]
    keys = {p.communicate(timeout=60)[0].decode().strip() for p in processes}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no leftovers
    assert create_once(path, "another") == path.read_bytes()  # kept, never replaced


def test_a_reader_never_sees_half_a_file(tmp_path):
    """A writer process replaces a 1 MB file over and over with a different byte each
    time; a reader process opening it meanwhile finds one whole version every time."""
    path = tmp_path / "document"
    write_atomic(path, b"a" * 1_000_000)
    (tmp_path / "flag").write_text("")
    writer = _python(
        """
        import sys
        from gis.atomic import write_atomic
        for i in range(30):
            write_atomic(sys.argv[1], bytes([98 + i % 20]) * 1_000_000)
        """,
        str(path),
    )
    reader = _python(
        """
        import sys, time
        seen, bad = set(), 0
        end = time.monotonic() + 60
        while time.monotonic() < end:
            data = open(sys.argv[1], "rb").read()
            if len(data) != 1_000_000 or data.count(data[:1]) != len(data):
                bad += 1
            seen.add(data[:1])
            if open(sys.argv[2]).read() == "done":
                break
        print(len(seen), bad)
        """,
        str(path),
        str(tmp_path / "flag"),
    )
    assert writer.wait(timeout=120) == 0, writer.stderr.read()
    (tmp_path / "flag").write_text("done")
    versions, bad = map(int, reader.communicate(timeout=120)[0].split())
    assert bad == 0 and versions > 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["document", "flag"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_atomic(tmp_path / "report.json", '{"ok": true}')
    with pytest.raises(RuntimeError), atomic_file(path) as out:
        out.write(b'{"half":')
        raise RuntimeError("the writer failed half-way")
    assert path.read_text() == '{"ok": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_folder_appears_whole_or_not_at_all(tmp_path):
    with pytest.raises(RuntimeError), atomic_dir(tmp_path / "run") as part:
        (part / "run.json").write_text("{}")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(tmp_path / "run") as part:
        (part / "run.json").write_text("{}")
        assert not (tmp_path / "run").exists()  # hidden until it is whole
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert (tmp_path / "run" / "run.json").read_text() == "{}"


def test_the_app_keeps_shared_files_in_the_shared_folder(tmp_path, store_config):
    """Two apps with their own instance folders and one shared folder: one key, one
    store folder. Without SHARED_DIR the instance folder is used, as before."""
    shared = tmp_path / "shared"
    apps = [
        create_app(
            {**store_config, "PLANNER_HOME": str(tmp_path / name), "SHARED_DIR": str(shared)}
        )
        for name in ("a", "b")
    ]
    assert apps[0].config["SECRET_KEY"] == apps[1].config["SECRET_KEY"]
    assert (shared / "secret_key").is_file()
    assert not (tmp_path / "a" / "secret_key").exists()
    from app.casestore import get_case_store
    from app.store import get_store

    with apps[1].app_context():
        assert Path(get_store().home) == shared and Path(get_case_store().home) == shared
        assert get_case_store().uow().write_file is write_atomic
    alone = create_app({**store_config, "PLANNER_HOME": str(tmp_path / "alone")})
    assert alone.config["SHARED_DIR"] == str((tmp_path / "alone").resolve())
    assert (tmp_path / "alone" / "secret_key").is_file()
    keyed = create_app({**store_config, "SHARED_DIR": str(shared), "SECRET_KEY": "x" * 64})
    assert keyed.config["SECRET_KEY"] == "x" * 64  # PLANNER_SECRET_KEY wins
