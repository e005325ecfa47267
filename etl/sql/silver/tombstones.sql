-- The newest applied delete per source table and primary key: a late older insert never brings the
-- row back.
CREATE TABLE IF NOT EXISTS {table} (
  source_table string, pk bigint,
  _cdc_phase int, _cdc_ts timestamp, _cdc_file string, _cdc_pos bigint, _run_id string
) USING iceberg
TBLPROPERTIES ('format-version'='2', 'write.merge.mode'='merge-on-read',
               'write.update.mode'='merge-on-read', 'write.delete.mode'='merge-on-read')
