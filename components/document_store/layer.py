"""The processor's Lambda layer: pymongo for the Lambda runtime and the DocumentDB CA bundle.

Built when the program runs against a real engine (``pulumi preview`` / ``pulumi up``), into
``build/layers/docdb-client-<key>/`` of the project, once: the key changes only with the pymongo
version, the platform, the runtime or the bundle's address, and so does the layer's content hash.
The wheels are the manylinux aarch64 ones for the runtime's Python (the function runs on arm64),
fetched by pip, so the deploying machine's own platform does not matter.

Under mocks (``lakehouse plan``, tests, CI) nothing is built or downloaded: no engine reads
archives there, so the plan stays offline and fast and only names the directory.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import get_monitor

from ..lambda_function import RUNTIME

BUILD_ROOT = Path(__file__).resolve().parents[2] / "build" / "layers"
PLATFORM = "manylinux2014_aarch64"
CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
CA_BUNDLE_PATH = "docdb/global-bundle.pem"  # in the layer: /opt/docdb/global-bundle.pem
COMPLETE = ".complete"
LAYER_FOLDERS = ("python", "docdb")  # what goes to /opt; the completion marker does not


def requirements() -> list[str]:
    """pymongo at the version the tests ran against (its dependency dnspython comes with it)."""
    return [f"pymongo=={metadata.version('pymongo')}"]


def python_version() -> str:
    return RUNTIME.removeprefix("python")  # "python3.12" -> "3.12"


def layer_directory(root: Path = BUILD_ROOT, ca_bundle_url: str = CA_BUNDLE_URL) -> Path:
    key = hashlib.sha256("|".join([*requirements(), PLATFORM, RUNTIME, ca_bundle_url]).encode()).hexdigest()[:12]
    return root / f"docdb-client-{key}"


def build_layer(target: Path, ca_bundle_url: str = CA_BUNDLE_URL) -> Path:
    """Fill ``target`` with ``python/`` (the wheels) and the CA bundle, unless it is already complete."""
    if (target / COMPLETE).is_file():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--platform",
            PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            python_version(),
            "--only-binary=:all:",
            "--target",
            str(partial / "python"),
            *requirements(),
        ],
        check=True,
    )
    bundle = partial / CA_BUNDLE_PATH
    bundle.parent.mkdir(parents=True)
    with urllib.request.urlopen(ca_bundle_url, timeout=60) as response:
        bundle.write_bytes(response.read())
    (partial / COMPLETE).write_text("\n".join(requirements()) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def running_under_mocks() -> bool:
    return isinstance(get_monitor(), MockMonitor)


def layer_archive(root: Path = BUILD_ROOT) -> pulumi.AssetArchive:
    """The layer's content (``python/`` and ``docdb/``), built first unless the program runs under mocks."""
    target = layer_directory(root)
    if not running_under_mocks():
        build_layer(target)
    return pulumi.AssetArchive({folder: pulumi.FileArchive(str(target / folder)) for folder in LAYER_FOLDERS})
