-- Rows whose keys the target lacks: re-running after a crash adds nothing twice.
MERGE INTO {target} t USING {rows} s ON {condition} WHEN NOT MATCHED THEN INSERT *
