"""`planner backup` and `planner restore` (app/application/backup.py).

`planner backup --out FILE [--passphrase-file F | --passphrase-stdin]` writes a backup of
the instance in PLANNER_HOME (and DATABASE_URL / PLANNER_DATABASE_SCHEMA) while it serves.
`planner restore FILE --home DIR [--erasures JOURNAL] [--passphrase-file F |
--passphrase-stdin]` restores one into the empty folder DIR and, on PostGIS, the empty
schema in effect, then replays the erasure journal's entries made after the backup
(JOURNAL, else PLANNER_ERASURE_JOURNAL; without either it says so and replays none). A refusal (bad
input, wrong passphrase, damaged archive, target not empty) ends with a Thai and English
message and exit code 2; a failure of the store or of pg_dump/pg_restore with exit code 1.
See docs/decisions/0024-backups.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from app.cli.common import _fail, main
from app.strings import text

EXIT_REFUSED = 2


def _say_error(exc) -> None:
    from app.application.backup import BackupRefused

    click.echo(f"error / ข้อผิดพลาด: {exc.message_en}\n  {exc.message_th}", err=True)
    sys.exit(EXIT_REFUSED if isinstance(exc, BackupRefused) else 1)


def _refuse(key: str, **values) -> None:
    en, th = text(key, **values)
    click.echo(f"error / ข้อผิดพลาด: {en}\n  {th}", err=True)
    sys.exit(EXIT_REFUSED)


def _passphrase(passphrase_file: Path | None, from_stdin: bool) -> str | None:
    """The passphrase's first line, from a file or standard input (never an argument:
    command lines show in `ps` and in the shell's history)."""
    if passphrase_file and from_stdin:
        _refuse("backup.passphrase_both")
    if from_stdin:
        line = sys.stdin.readline()
    elif passphrase_file:
        try:
            # utf-8-sig: Windows Notepad starts the file with a byte-order mark.
            line = passphrase_file.read_text(encoding="utf-8-sig").splitlines()[:1]
            line = line[0] if line else ""
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            _refuse("backup.passphrase_unreadable", path=passphrase_file, reason=reason)
    else:
        return None
    return line.rstrip("\r\n")


def _instance(home: Path):
    from app.application.backup import Instance

    return Instance(
        home=home,
        database_url=os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def _summary(manifest: dict) -> dict:
    counts = manifest.get("counts") or {}
    database = counts.get("database") or {}
    layers = counts.get("layers") or {}
    return {
        "cases": database.get("cases", 0),
        "households": database.get("households", 0),
        "documents": counts.get("documents", 0),
        "layers": len([n for n in layers if n not in ("layer_meta", "import_reports")])
        + len([m for m in manifest.get("members", []) if m["name"].startswith("rasters/")]),
    }


def _passphrase_options(command):
    command = click.option(
        "--passphrase-stdin",
        is_flag=True,
        help="Read the passphrase from the first line of standard input.",
    )(command)
    return click.option(
        "--passphrase-file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Read the passphrase from the first line of this file.",
    )(command)


@main.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The backup file to write (a new file; never overwritten).",
)
@_passphrase_options
def backup_command(out: Path, passphrase_file: Path | None, passphrase_stdin: bool) -> None:
    """Back up the instance while it serves: layers, cases, documents (สำรองข้อมูล)."""
    from app import shared_dir
    from app.application.backup import BackupError, make_backup

    passphrase = _passphrase(passphrase_file, passphrase_stdin)
    try:
        result = make_backup(_instance(shared_dir()), out, passphrase=passphrase)
    except BackupError as exc:
        _say_error(exc)
    except OSError as exc:  # a full disk, a folder it may not write
        _fail(exc)
    manifest = result.manifest
    en, th = text(
        "backup.written",
        path=result.path,
        size=_size(result.size),
        members=len(manifest["members"]),
        seconds=f"{result.seconds:.1f}",
        **_summary(manifest),
    )
    click.echo(f"{th}\n{en}")
    en, th = text("backup.encrypted_note" if result.encrypted else "backup.plain_note")
    click.echo(f"{th}\n{en}")
    if manifest["left_out"]:
        en, th = text("backup.left_out", names=", ".join(manifest["left_out"]))
        click.echo(f"{th}\n{en}")


@main.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option(
    "--home",
    required=True,
    type=click.Path(path_type=Path),
    help="The instance folder to restore into: new or empty.",
)
@click.option(
    "--erasures",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The erasure journal to replay (default: PLANNER_ERASURE_JOURNAL).",
)
@_passphrase_options
def restore_command(
    archive: Path,
    home: Path,
    erasures: Path | None,
    passphrase_file: Path | None,
    passphrase_stdin: bool,
) -> None:
    """Restore a backup into an empty instance (กู้คืนข้อมูลจากไฟล์สำรอง).

    The database is the DATABASE_URL (and PLANNER_DATABASE_SCHEMA) in effect; without
    DATABASE_URL the backup must be of an embedded instance. Erasures journalled after
    the backup are replayed on the restored store before it is done."""
    from app.application.backup import BackupError, restore_backup

    passphrase = _passphrase(passphrase_file, passphrase_stdin)
    journal = erasures or os.environ.get("PLANNER_ERASURE_JOURNAL") or None
    if journal is None:
        en, th = text("backup.no_journal")
        click.echo(f"{th}\n{en}", err=True)
    try:
        result = restore_backup(archive, _instance(home), passphrase=passphrase, journal=journal)
    except BackupError as exc:
        _say_error(exc)
    except OSError as exc:  # a full disk, a folder it may not write
        _fail(exc)
    en, th = text(
        "backup.restored",
        path=archive,
        home=result.home,
        created=result.manifest.get("created_at", "?"),
        seconds=f"{result.seconds:.1f}",
        **_summary(result.manifest),
    )
    click.echo(f"{th}\n{en}")
    _say_replay(result.replay)
    en, th = text("backup.restored_next", home=result.home)
    click.echo(f"{th}\n{en}")


def _say_replay(replay) -> None:
    if replay is None:
        return
    en, th = text(
        "backup.replayed",
        path=replay.journal,
        entries=replay.entries,
        through=replay.through,
        erased=replay.erased,
    )
    click.echo(f"{th}\n{en}")
    if replay.kept_at:
        en, th = text("backup.journal_kept", path=replay.kept_at)
        click.echo(f"{th}\n{en}")
