-- The newest change per key ({changes}: one row per key) applied to a silver table: only when its
-- order key is greater than the row's, and an insert only when greater than the key's newest
-- delete. Order keys are structs, compared field by field like the contract's tuple.
MERGE INTO {silver} t
USING (
  SELECT w.*, d._cdc_phase AS d_cdc_phase, d._cdc_ts AS d_cdc_ts, d._cdc_file AS d_cdc_file, d._cdc_pos AS d_cdc_pos
  FROM {changes} w LEFT JOIN {tombstones} d ON d.source_table = '{source}' AND d.pk = w.{pk}
) s
ON t.{pk} = s.{pk}
WHEN MATCHED AND s.op = 'D' AND {source_key} > {target_key} THEN DELETE
WHEN MATCHED AND s.op <> 'D' AND {source_key} > {target_key} THEN
  UPDATE SET {assignments}
WHEN NOT MATCHED AND s.op <> 'D' AND (s.d_cdc_phase IS NULL OR {source_key} > {delete_key}) THEN
  INSERT ({columns}) VALUES ({values})
