"""The code artifacts: a content hash of the etl package, a reproducible zip, keys named by the hash."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from components.batch import artifacts

GOLD_SQL = "sql/gold/revenue_daily.sql"


@pytest.fixture
def tree(tmp_path) -> Path:
    """A small package like etl/: a module, package data, an entry script, and bytecode caches."""
    root = tmp_path / "etl"
    (root / "glue").mkdir(parents=True)
    (root / "sql").mkdir()
    (root / "__init__.py").write_text("")
    (root / "contract.py").write_text("VALUE = 1\n")
    (root / "sql" / "gold.sql").write_text("SELECT 1\n")
    (root / "glue" / "job_a.py").write_text("print('a')\n")
    (root / "glue" / "emr_serverless.py").write_text("print('emr')\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "contract.cpython-311.pyc").write_bytes(b"\x00bytecode")
    return root


def test_the_same_tree_gives_the_same_digest(tree, tmp_path):
    copy = tmp_path / "copy" / "etl"
    shutil.copytree(tree, copy)
    assert artifacts.tree_digest(tree) == artifacts.tree_digest(copy)


def test_one_changed_byte_gives_another_digest(tree):
    before = artifacts.tree_digest(tree)
    (tree / "sql" / "gold.sql").write_text("SELECT 2\n")
    assert artifacts.tree_digest(tree) != before


def test_a_renamed_file_gives_another_digest(tree):
    before = artifacts.tree_digest(tree)
    (tree / "contract.py").rename(tree / "contracts.py")
    assert artifacts.tree_digest(tree) != before


def test_bytecode_caches_do_not_count(tree):
    before = artifacts.tree_digest(tree)
    (tree / "__pycache__" / "contract.cpython-311.pyc").write_bytes(b"\x01other bytecode")
    (tree / "stray.pyc").write_bytes(b"\x02")
    (tree / "glue" / "__pycache__").mkdir()
    (tree / "glue" / "__pycache__" / "job_a.cpython-311.pyc").write_bytes(b"\x03")
    assert artifacts.tree_digest(tree) == before


def test_package_files_leave_out_bytecode(tree):
    assert [p.as_posix() for p in artifacts.package_files(tree)] == [
        "__init__.py",
        "contract.py",
        "glue/emr_serverless.py",
        "glue/job_a.py",
        "sql/gold.sql",
    ]


def test_the_zip_holds_the_package_under_its_name_and_is_byte_for_byte_reproducible(tree, tmp_path):
    first = artifacts.write_package_zip(tree, tmp_path / "one" / "etl.zip")
    second = artifacts.write_package_zip(tree, tmp_path / "two" / "etl.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == [
            "etl/__init__.py",
            "etl/contract.py",
            "etl/glue/emr_serverless.py",
            "etl/glue/job_a.py",
            "etl/sql/gold.sql",
        ]
        assert archive.read("etl/sql/gold.sql") == b"SELECT 1\n"


def test_keys_live_under_a_prefix_named_by_the_digest():
    layout = artifacts.layout("0123456789abcdef" + "f" * 48, ["job_b.py", "job_a.py", "job_a.py"])
    assert layout.prefix == "artifacts/etl/0123456789abcdef/"
    assert layout.package_key == "artifacts/etl/0123456789abcdef/etl.zip"
    assert layout.script_keys == {
        "job_a.py": "artifacts/etl/0123456789abcdef/glue/job_a.py",
        "job_b.py": "artifacts/etl/0123456789abcdef/glue/job_b.py",
    }
    assert layout.emr_entry_key == "artifacts/etl/0123456789abcdef/glue/emr_serverless.py"


def test_build_pairs_every_key_with_its_file_and_reuses_the_cached_zip(tree, tmp_path):
    built = artifacts.build(tree, ["job_a.py"], cache=tmp_path / "cache")
    digest = artifacts.tree_digest(tree)
    prefix = f"artifacts/etl/{digest[:16]}/"
    assert built.files == {
        prefix + "etl.zip": tmp_path / "cache" / digest / "etl.zip",
        prefix + "glue/emr_serverless.py": tree / "glue" / "emr_serverless.py",
        prefix + "glue/job_a.py": tree / "glue" / "job_a.py",
    }
    stamp = built.files[prefix + "etl.zip"].stat().st_mtime_ns
    again = artifacts.build(tree, ["job_a.py"], cache=tmp_path / "cache")
    assert again.files[prefix + "etl.zip"].stat().st_mtime_ns == stamp


def test_missing_entry_scripts_are_named(tree):
    assert artifacts.missing_scripts(tree, ["job_a.py", "job_b.py"]) == ["job_b.py"]


def test_the_real_package_zip_imports_with_its_data_from_the_zip_alone(tmp_path):
    """What Glue's --extra-py-files does: the zip on sys.path, nothing of the checkout, and the
    package data (the contract YAML, the SQL files) read through importlib.resources."""
    package = artifacts.write_package_zip(artifacts.ETL_ROOT, tmp_path / "etl.zip")
    probe = (
        "import json, etl, etl.contract; from importlib import resources;"
        f"assert etl.__file__.startswith({str(package)!r}), etl.__file__;"
        f"print(json.dumps([sorted(etl.contract.tables()), resources.files('etl').joinpath({GOLD_SQL!r}).read_text()]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(package), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    tables, sql = json.loads(result.stdout)
    assert tables == [
        "core_customer",
        "core_event",
        "core_invoice",
        "core_order",
        "core_orderitem",
        "core_product",
        "core_subscription",
        "core_tenant",
    ]
    assert sql == (artifacts.ETL_ROOT / GOLD_SQL).read_text()
