"""Property: whatever the arrival order of CDC files, with repeats and in any split into runs,
silver ends up exactly as after one in-order run over the same files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.etl.conftest import Lake
from tests.etl.test_bronze_to_silver import delete, tenant

FILES = [
    "LOAD00000001.csv.gz",
    "20250101-000000000.csv.gz",
    "20250101-000000001.csv.gz",
    "20250102-000000000.csv.gz",
    "20250103-000000000.csv.gz",
]
TIMES = [f"2025-01-01 00:00:0{s}.000000" for s in range(3)]  # few distinct times: ties are common

change = st.builds(
    lambda op, ts, key, name: delete(ts, key) if op == "D" else tenant(op, ts, key, name=name),
    st.sampled_from("IUD"),
    st.sampled_from(TIMES),
    st.integers(1, 3),
    st.sampled_from(["a", "b", "c"]),
)
invalid = st.just(["U", "not a time", 1, "x", "x", None, "t", "{}", "2025-01-01 00:00:00", "2025-01-01 00:00:00"])
file_contents = st.lists(st.one_of(change, change, change, invalid), min_size=1, max_size=4)


@st.composite
def scenario(draw):
    names = draw(st.lists(st.sampled_from(FILES), min_size=1, max_size=len(FILES), unique=True))
    contents = {name: draw(file_contents) for name in names}
    arrivals = draw(st.permutations(names))
    repeats = draw(st.lists(st.sampled_from(names), max_size=2))  # the same file delivered again later
    order = list(arrivals) + repeats
    cuts = sorted(draw(st.sets(st.integers(1, len(order)), max_size=3)) | {len(order)})
    return contents, order, cuts


def silver_state(lake: Lake) -> list[tuple]:
    return lake.rows("core_tenant", "id", "name", "is_active", "_cdc_phase", "_cdc_ts", "_cdc_file", "_cdc_pos")


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(scenario())
def test_any_arrival_order_and_run_split_gives_the_in_order_result(spark, case):
    contents, order, cuts = case
    reference = Lake(spark, Path(tempfile.mkdtemp()))
    for name in sorted(contents, key=lambda n: (not n.startswith("LOAD"), n)):
        reference.write("core_tenant", name, contents[name])
    reference.run("core_tenant")

    shuffled = Lake(spark, Path(tempfile.mkdtemp()))
    start = 0
    for cut in cuts:
        for name in order[start:cut]:
            shuffled.write("core_tenant", name, contents[name])
        shuffled.run("core_tenant")
        start = cut
    assert silver_state(shuffled) == silver_state(reference)
    assert sorted(shuffled.quarantine()) == sorted(reference.quarantine())
