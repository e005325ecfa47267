-- Every raw ingestion file raw_to_processed already applied (a run reads only the others), with its
-- line counts.
CREATE TABLE IF NOT EXISTS {table} (
  source_table string, file string, records bigint, quarantined bigint, run_id string, applied_at timestamp
) USING iceberg
