"""Maintenance compacts small files, keeps time travel within the retained snapshots."""

from __future__ import annotations

from etl.jobs import maintenance
from etl.session import CATALOG
from tests.etl.test_bronze_to_silver import tenant


def test_maintenance_compacts_many_small_files_into_one(lake, spark):
    for batch in range(1, 5):
        lake.write(
            "core_tenant",
            f"2025010{batch}-000000000.csv.gz",
            [tenant("I" if batch == 1 else "U", f"2025-01-0{batch} 00:00:00.000000", 1, name=f"v{batch}")],
        )
        lake.run("core_tenant")
    table = f"{CATALOG}.{lake.silver}.tenants"
    result = maintenance.maintain(spark, table, retain_snapshots=2, expire_days=0, orphan_days=3)
    assert (result["data_files_before"], result["delete_files_before"]) == (4, 3)  # merge-on-read CDC batches
    assert (result["data_files_after"], result["delete_files_after"]) == (1, 0)
    assert spark.sql(f"SELECT name FROM {table}").collect()[0]["name"] == "v4"
    assert spark.sql(f"SELECT COUNT(*) FROM {table}.snapshots").first()[0] == 2
