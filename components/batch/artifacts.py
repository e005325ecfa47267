"""What the jobs run, built from this repository at deploy time: the ``etl`` package as a zip for
Glue's ``--extra-py-files`` and the entry scripts of ``etl/glue/``, under a key named by a hash of
their content.

Same tree, same key: an unchanged deploy uploads nothing and no job changes. One changed byte
anywhere in the package gives a new key, so every job points at the new code at once (the old
objects are removed with the old keys). Bytecode caches are not content and do not count.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ETL_ROOT = Path(__file__).resolve().parents[2] / "etl"
KEY_PREFIX = "artifacts/etl"
DIGEST_CHARS = 16  # 64 bits of SHA-256: collisions between two versions of one package are not a concern
PACKAGE_NAME = "etl.zip"
EMR_ENTRY_SCRIPT = "emr_serverless.py"
_IGNORED_DIRECTORIES = {"__pycache__"}
_IGNORED_SUFFIXES = {".pyc", ".pyo"}
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip holds: fixed, so equal trees give equal bytes


def package_files(root: Path) -> list[Path]:
    """The files of the package at ``root``, relative to it, sorted; bytecode caches left out."""
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and path.suffix not in _IGNORED_SUFFIXES and not _IGNORED_DIRECTORIES & set(relative.parts):
            files.append(relative)
    return sorted(files, key=lambda p: p.as_posix())


def tree_digest(root: Path) -> str:
    """SHA-256 of the package's file names and contents (hex)."""
    digest = hashlib.sha256()
    for relative in package_files(root):
        content = (root / relative).read_bytes()
        digest.update(relative.as_posix().encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    return digest.hexdigest()


def write_package_zip(root: Path, destination: Path) -> Path:
    """A zip of the package under its own name (``etl/...``), byte-for-byte the same for the same tree."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in package_files(root):
            entry = zipfile.ZipInfo(f"{root.name}/{relative.as_posix()}", date_time=_ZIP_EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (root / relative).read_bytes())
    partial.replace(destination)  # atomic: a concurrent build never sees half a zip
    return destination


@dataclass(frozen=True)
class ArtifactLayout:
    """Where one version of the code lives in the artifacts bucket."""

    prefix: str  # artifacts/etl/<digest>/
    package_key: str
    script_keys: dict[str, str]  # entry script file name -> key
    emr_entry_key: str

    def keys(self) -> list[str]:
        return [self.package_key, *self.script_keys.values(), self.emr_entry_key]


def layout(digest: str, scripts: Iterable[str]) -> ArtifactLayout:
    """The keys of one code version: every object under ``artifacts/etl/<digest prefix>/``."""
    prefix = f"{KEY_PREFIX}/{digest[:DIGEST_CHARS]}/"
    return ArtifactLayout(
        prefix=prefix,
        package_key=prefix + PACKAGE_NAME,
        script_keys={script: f"{prefix}glue/{script}" for script in sorted(set(scripts))},
        emr_entry_key=f"{prefix}glue/{EMR_ENTRY_SCRIPT}",
    )


def missing_scripts(root: Path, scripts: Sequence[str]) -> list[str]:
    """Entry scripts the graph names that ``<root>/glue/`` lacks."""
    return [script for script in scripts if not (root / "glue" / script).is_file()]


@dataclass(frozen=True)
class BuiltArtifacts:
    """One code version: its layout and the local files to upload, by key."""

    layout: ArtifactLayout
    files: dict[str, Path]


def build(root: Path, scripts: Sequence[str], cache: Path | None = None) -> BuiltArtifacts:
    """Hash the package, write its zip once per version (into a cache named by the digest), and
    pair every key with its file."""
    digest = tree_digest(root)
    keys = layout(digest, scripts)
    cache = cache or Path(tempfile.gettempdir()) / "lakehouse-batch-artifacts"
    package = cache / digest / PACKAGE_NAME
    if not package.is_file():
        write_package_zip(root, package)
    files = {keys.package_key: package, keys.emr_entry_key: root / "glue" / EMR_ENTRY_SCRIPT}
    files.update({key: root / "glue" / script for script, key in keys.script_keys.items()})
    return BuiltArtifacts(layout=keys, files=files)
