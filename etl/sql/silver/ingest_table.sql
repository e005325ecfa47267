-- One source's records from the ingestion API: one row per event_id, the copy received first, with
-- the raw file and line it came from. Unpartitioned, like the silver tables: ingestion volumes make
-- small files per day, which maintenance compacts.
CREATE TABLE IF NOT EXISTS {table} (
  event_id string, source string, received_at timestamp, data string, metadata string,
  _raw_file string, _raw_line bigint, _run_id string
) USING iceberg
TBLPROPERTIES ('format-version'='2', 'write.merge.mode'='merge-on-read',
               'write.update.mode'='merge-on-read', 'write.delete.mode'='merge-on-read')
