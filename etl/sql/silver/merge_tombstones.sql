-- The run's newest deletes (one row per source table and key) recorded as tombstones, keeping the
-- greatest delete key per key.
MERGE INTO {tombstones} t
USING {changes} s
ON t.source_table = s.source_table AND t.pk = s.pk
WHEN MATCHED AND {source_key} > {target_key} THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *
