"""Which ``lake`` catalog a cloud entry point runs against: the one the session already has, or
the Glue Data Catalog.

On Glue and EMR Serverless the session starts without a ``lake`` catalog, so the entry point puts
it on the Glue Data Catalog (``etl.session.glue_session``). A session that already defines one (a
job started with its own ``--conf spark.sql.catalog.lake...``, or a local session over a
warehouse directory, as when the entry scripts are tested on a laptop) keeps it: the catalog is
chosen by how the session was built, not by a flag a deployment could forget.
"""

from __future__ import annotations

from etl.session import CATALOG, glue_session


def has_lake_catalog(spark) -> bool:
    return spark.conf.get(f"spark.sql.catalog.{CATALOG}", None) is not None


def lake_session(spark, warehouse: str):
    """``spark`` with the ``lake`` catalog: its own if it has one, else the Glue Data Catalog over ``warehouse``."""
    return spark if has_lake_catalog(spark) else glue_session(warehouse, spark)
