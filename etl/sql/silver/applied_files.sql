-- Every bronze file already applied (a run reads only the others), with its counts and the greatest
-- dms_timestamp among its valid changes (the data's own time).
CREATE TABLE IF NOT EXISTS {table} (
  source_table string, file string, records bigint, applied bigint, quarantined bigint,
  max_dms_ts timestamp, run_id string, applied_at timestamp
) USING iceberg
