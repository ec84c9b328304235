"""The backup archive (docs/decisions/0024-backups.md): one file, streamed both ways.

Plain, it is a POSIX (pax) tar: `manifest.json` first, then every member the manifest
lists, each with its size and sha256. The members are named as in the instance folder
(`planner.sqlite`, `layers/<name>.gpkg`, `documents/<ab>/<sha256>`, ...), plus
`database.pgdump` for a PostGIS instance.

Encrypted, the same tar stream is sealed with a passphrase:

    header  "PLNRBKUP" | container version (1) | KDF id (1 = scrypt) | log2 N | r | p
            | chunk size (u32) | salt (16) | nonce prefix (7) | check (16)
    chunks  AES-256-GCM of each `chunk size` bytes of the tar (the last one shorter,
            maybe empty), nonce = prefix | chunk number (u32) | 1 on the last chunk else 0,
            the header as associated data

scrypt(passphrase, salt) gives 64 bytes: the AES key and a key whose HMAC of the header is
`check`, so a wrong passphrase is told apart from a damaged archive before any chunk is
read. Numbering the chunks and marking the last one (the STREAM construction) makes a
reordered, dropped or truncated chunk fail like a changed byte. Memory stays at one chunk
whatever the size of the archive.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import struct
import tarfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.strings import text

FORMAT = "codi-planner-backup"
FORMAT_VERSION = 2  # the manifest's; a reader refuses a newer one
# 2: `erasures: {"through": N}`, the erasure journal's position at the snapshot.
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

MAGIC = b"PLNRBKUP"
CONTAINER_VERSION = 1
KDF_SCRYPT = 1
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1  # 128 MiB, about 0.3 s here
MAX_SCRYPT_BYTES = 256 * 1024 * 1024  # what a header may ask for (twice what we write)
CHUNK_BYTES = 1 << 20
TAG_BYTES = 16
_HEAD = struct.Struct(">8sBBBBBI16s7s")
CHECK_BYTES = 16
HEADER_BYTES = _HEAD.size + CHECK_BYTES
COPY_BYTES = 1 << 20


class BackupError(Exception):
    """A backup or restore that did not happen, in Thai and English (app/strings.py)."""

    def __init__(self, key: str, **values):
        self.key = key
        self.message_en, self.message_th = text(key, **values)
        super().__init__(self.message_en)


class BackupRefused(BackupError):
    """Refused before anything changed: bad input, a wrong passphrase, a damaged archive,
    a target that is not empty."""


def damaged(detail: str) -> BackupRefused:
    return BackupRefused("backup.damaged", detail=detail)


# ------------------------------------------------------------------ member names

_NAME_PATTERNS = [
    re.compile(p)
    for p in (
        r"planner\.sqlite",
        r"database\.pgdump",
        r"layers/[a-z0-9_]{1,63}\.gpkg",
        r"rasters/[a-z0-9_]{1,63}\.tif",
        r"imports/[0-9A-Za-z\-]{1,64}\.json",
        r"documents/(?P<ab>[0-9a-f]{2})/(?P<sha>[0-9a-f]{64})",
    )
]
_REPORT_PART = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,254}")


def member_name_ok(name: str) -> bool:
    """A name the archive may hold: the instance folder's own kinds of file, never a path
    out of the folder (no `..`, no absolute path, no hidden file)."""
    for pattern in _NAME_PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return not match.groupdict() or match["sha"].startswith(match["ab"])
    parts = name.split("/")
    return (
        len(parts) in range(2, 8)
        and parts[0] == "reports"
        and all(_REPORT_PART.fullmatch(p) and p.strip() not in ("", "..") for p in parts[1:])
    )


# ------------------------------------------------------------------ encryption


def _keys(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    derived = Scrypt(salt=salt, length=64, n=1 << log2_n, r=r, p=p).derive(secret)
    return derived[:32], derived[32:]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def is_encrypted(raw: BinaryIO) -> bool:
    """Whether the archive open in `raw` (at its start) is sealed; leaves it at its start."""
    start = raw.tell()
    head = raw.read(len(MAGIC))
    raw.seek(start)
    return head == MAGIC


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what is written to it into `raw`."""

    def __init__(self, raw: BinaryIO, passphrase: str):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, self._prefix = os.urandom(16), os.urandom(7)
        key, check_key = _keys(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        head = _HEAD.pack(
            MAGIC,
            CONTAINER_VERSION,
            KDF_SCRYPT,
            SCRYPT_LOG2_N,
            SCRYPT_R,
            SCRYPT_P,
            CHUNK_BYTES,
            salt,
            self._prefix,
        )
        self._header = head + hmac.new(check_key, head, hashlib.sha256).digest()[:CHECK_BYTES]
        self._aead = AESGCM(key)
        self._raw = raw
        self._buffer = bytearray()
        self._counter = 0
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def _seal(self, data: bytes, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._raw.write(self._aead.encrypt(nonce, data, self._header))
        self._counter += 1

    def write(self, data) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            view = memoryview(self._buffer)
            whole = len(self._buffer) - len(self._buffer) % CHUNK_BYTES
            for start in range(0, whole, CHUNK_BYTES):
                self._seal(bytes(view[start : start + CHUNK_BYTES]), last=False)
            view.release()
            del self._buffer[:whole]
        return len(data)

    def close(self) -> None:
        if not self.closed and not self._raw.closed:
            self._seal(bytes(self._buffer), last=True)  # always shorter than a chunk
            self._buffer = bytearray()
            self._raw.flush()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only stream of what EncryptingWriter sealed; a chunk is handed out only once
    its tag checks, and the end only once the last chunk's does."""

    def __init__(self, raw: BinaryIO, passphrase: str):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        header = raw.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise damaged("header")
        magic, version, kdf, log2_n, r, p, chunk, salt, prefix = _HEAD.unpack(header[: _HEAD.size])
        if version != CONTAINER_VERSION or kdf != KDF_SCRYPT:
            raise BackupRefused("backup.newer_format", version=version, supported=1)
        # Bounds, so a made-up header cannot ask for gigabytes of memory or hours of work:
        # scrypt needs 128·r·N bytes per lane; version 1 writes 128 MiB, one lane.
        scrypt_bytes = 128 * r * (1 << log2_n) if 14 <= log2_n <= 22 else 1 << 40
        if not (
            1 <= r <= 32
            and 1 <= p <= 2
            and scrypt_bytes <= MAX_SCRYPT_BYTES
            and 4096 <= chunk <= 1 << 26
        ):
            raise damaged("header")
        key, check_key = _keys(passphrase, salt, log2_n, r, p)
        expected = hmac.new(check_key, header[: _HEAD.size], hashlib.sha256).digest()
        if not hmac.compare_digest(expected[:CHECK_BYTES], header[_HEAD.size :]):
            raise BackupRefused("backup.wrong_passphrase")
        self._aead = AESGCM(key)
        self._raw, self._header, self._prefix, self._chunk = raw, header, prefix, chunk
        self._plain = b""
        self._offset = 0
        self._counter = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        from cryptography.exceptions import InvalidTag

        want = self._chunk + TAG_BYTES
        sealed = _read_exactly(self._raw, want)
        last = len(sealed) < want
        if last and self._raw.read(1):
            raise damaged("data after the end")
        try:
            self._plain = self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), sealed, self._header
            )
        except (InvalidTag, ValueError):
            raise damaged(f"block {self._counter + 1}") from None
        self._offset = 0
        self._counter += 1
        self._done = last

    def readinto(self, buffer) -> int:
        while self._offset >= len(self._plain):
            if self._done:
                return 0
            self._next_chunk()
        n = min(len(buffer), len(self._plain) - self._offset)
        buffer[:n] = self._plain[self._offset : self._offset + n]
        self._offset += n
        return n


def _read_exactly(raw: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        part = raw.read(n - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


# ------------------------------------------------------------------ the tar stream


@dataclass
class Member:
    name: str  # in the archive
    path: Path  # the staged file it is read from
    size: int
    sha256: str

    def to_dict(self) -> dict:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


class _Hashing:
    """Reads a file for tarfile, hashing what it hands out."""

    def __init__(self, fh: BinaryIO):
        self._fh = fh
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, int(mtime), 0o600, tarfile.REGTYPE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_archive(out: BinaryIO, manifest: dict, members: Iterable[Member], mtime: float) -> None:
    """The tar stream into `out`: the manifest, then each member, each checked again as it
    is read (a staged file that changed since it was hashed stops the backup)."""
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_tarinfo(MANIFEST, len(data), mtime), io.BytesIO(data))
        for member in members:
            with open(member.path, "rb") as fh:
                reader = _Hashing(fh)
                try:
                    tar.addfile(_tarinfo(member.name, member.size, mtime), reader)
                except OSError as exc:  # shorter than when it was staged
                    raise BackupError("backup.changed_during", name=member.name) from exc
                if reader.digest.hexdigest() != member.sha256 or fh.read(1):
                    raise BackupError("backup.changed_during", name=member.name)


def check_manifest(manifest) -> dict:
    """The manifest's shape and version, before anything else is read."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise damaged(MANIFEST)
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise damaged(MANIFEST)
    if version > FORMAT_VERSION:
        raise BackupRefused("backup.newer_format", version=version, supported=FORMAT_VERSION)
    members = manifest.get("members")
    if not isinstance(members, list):
        raise damaged(MANIFEST)
    seen = set()
    for m in members:
        ok = (
            isinstance(m, dict)
            and isinstance(m.get("name"), str)
            and member_name_ok(m["name"])
            and isinstance(m.get("size"), int)
            and m["size"] >= 0
            and isinstance(m.get("sha256"), str)
            and re.fullmatch(r"[0-9a-f]{64}", m["sha256"])
            and m["name"] not in seen
        )
        if not ok:
            raise damaged(f"{MANIFEST}: {str(m)[:80]}")
        seen.add(m["name"])
    erasures_through(manifest)  # checked now, before any member is read
    return manifest


def erasures_through(manifest: dict) -> int:
    """The last erasure journal entry in the backup's data: 0 for format 1, which has
    none (so a restore replays the whole journal)."""
    if manifest["format_version"] < 2:
        return 0
    through = (manifest.get("erasures") or {}).get("through")
    if not isinstance(through, int) or isinstance(through, bool) or through < 0:
        raise damaged(f"{MANIFEST}: erasures")
    return through


def read_archive(
    stream: BinaryIO,
    dest_for: Callable[[str], Path],
    on_manifest: Callable[[dict], None],
) -> dict:
    """Read the tar stream: the manifest first (handed to `on_manifest`, which may refuse),
    then every member into `dest_for(name)`, each checked against the manifest as it comes.
    Refuses an archive with a member missing, extra, changed or of the wrong kind."""
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 - closed below
    except tarfile.TarError:
        raise BackupRefused("backup.not_a_backup") from None
    manifest = None
    expected: dict[str, dict] = {}
    try:
        with tar:
            for info in tar:
                if manifest is None:
                    if (
                        info.name != MANIFEST
                        or not _plain_file(info)
                        or info.size > MAX_MANIFEST_BYTES
                    ):
                        raise BackupRefused("backup.not_a_backup")
                    try:
                        manifest = check_manifest(json.loads(tar.extractfile(info).read()))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        raise damaged(MANIFEST) from None
                    expected = {m["name"]: m for m in manifest["members"]}
                    on_manifest(manifest)
                    continue
                want = expected.pop(info.name, None)
                if want is None or not _plain_file(info) or info.size != want["size"]:
                    raise damaged(f"unexpected member {info.name[:120]}")
                _extract(tar.extractfile(info), dest_for(info.name), want)
    except (tarfile.TarError, EOFError):
        raise damaged("the tar stream ends early") from None
    if manifest is None:
        raise damaged(f"no {MANIFEST}")
    if expected:
        raise damaged(f"missing from the archive: {len(expected)}, e.g. {sorted(expected)[0]}")
    while stream.read(COPY_BYTES):  # to the end: the last sealed chunk is checked too
        pass
    return manifest


def _plain_file(info: tarfile.TarInfo) -> bool:
    """A regular member only: a GNU sparse one "isfile()" too, but holds a few bytes that
    expand to its whole size on extraction (a disk bomb)."""
    return info.type in (tarfile.REGTYPE, tarfile.AREGTYPE) and not info.sparse


def _extract(source: BinaryIO, target: Path, want: dict) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        while block := source.read(COPY_BYTES):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != want["sha256"]:
        raise damaged(f"{want['name']} does not match its sha256")
