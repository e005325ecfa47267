-- Every change that failed validation: where it was (file, 1-based record position), why, and the
-- record's fields as JSON.
CREATE TABLE IF NOT EXISTS {table} (
  source_table string, file string, position bigint, reason string, record string, run_id string,
  quarantined_at timestamp
) USING iceberg
