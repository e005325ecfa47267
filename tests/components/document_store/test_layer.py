"""The processor's layer built for real: arm64 wheels of pymongo from PyPI and the CA bundle.

Needs PyPI (the deploying machine needs it too); the bundle comes from a local file here, as the
test machine cannot reach AWS's trust store.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import certifi

from components.document_store import layer

ELF_MACHINE_AARCH64 = 0xB7


def _machine(shared_object: Path) -> int:
    header = shared_object.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


def test_layer_directory_changes_with_what_goes_in(tmp_path):
    same = layer.layer_directory(tmp_path), layer.layer_directory(tmp_path)
    other = layer.layer_directory(tmp_path, ca_bundle_url="file:///elsewhere.pem")
    assert same[0] == same[1] and same[0].name.startswith("docdb-client-") and other != same[0]


def test_build_fetches_arm64_wheels_for_the_runtime_and_the_ca_bundle_once(tmp_path):
    bundle = Path(certifi.where())
    target = layer.build_layer(tmp_path / "layer", ca_bundle_url=bundle.as_uri())
    extensions = sorted((target / "python").rglob("*.so"))
    assert (target / "python/pymongo/__init__.py").is_file() and (target / "python/dns").is_dir()
    assert extensions and {_machine(so) for so in extensions} == {ELF_MACHINE_AARCH64}
    assert all("cpython-312-aarch64" in so.name for so in extensions)
    assert (target / "docdb/global-bundle.pem").read_bytes() == bundle.read_bytes()
    assert (target / ".complete").read_text() == f"pymongo=={metadata.version('pymongo')}\n"
    stamp = (target / ".complete").stat().st_mtime_ns
    assert layer.build_layer(target, ca_bundle_url="file:///does-not-exist.pem") == target  # complete: not rebuilt
    assert (target / ".complete").stat().st_mtime_ns == stamp
