-- A stored copy of an event_id is replaced only by one received earlier (order key: received_at,
-- raw file, line; structs compare field by field).
MERGE INTO {table} t USING {earlier} s ON t.event_id = s.event_id
WHEN MATCHED AND {source_key} < {target_key} THEN UPDATE SET *
