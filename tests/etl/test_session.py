"""A local session is quiet (no JVM or Spark start-up warnings) unless asked to be verbose, and its JVM
uses the collector the benchmarks were measured with."""

from __future__ import annotations

import subprocess
import sys

import pytest

START = (
    "from etl.session import local_session; local_session({warehouse!r}, verbose={verbose}).sql('SELECT 1').collect()"
)


def start(tmp_path, verbose: bool) -> str:
    code = START.format(warehouse=str(tmp_path / "warehouse"), verbose=verbose)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize("warning", ["NativeCodeLoader", "Setting default log level"])
def test_a_session_starts_without_start_up_warnings(tmp_path, warning):
    assert warning not in start(tmp_path, verbose=False)


def test_a_verbose_session_shows_sparks_start_up_messages(tmp_path):
    assert 'Setting default log level to "WARN"' in start(tmp_path, verbose=True)


def test_the_local_jvm_uses_the_parallel_collector(spark):
    """On 2 cores G1's concurrent threads cost about 5% of a scale-5 run's CPU (BENCHMARKS.md)."""
    management = spark.sparkContext._jvm.java.lang.management.ManagementFactory
    collectors = {bean.getName() for bean in management.getGarbageCollectorMXBeans()}
    assert collectors == {"PS Scavenge", "PS MarkSweep"}
