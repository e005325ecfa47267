"""The pipeline's operational metrics: what each run publishes, under one name on every platform.

Per table, the age of the newest change it holds (freshness) and, per job and table, the rows
applied and quarantined. ``lakehouse run`` shows them in its summary; on AWS the jobs publish them
to CloudWatch (namespace :data:`NAMESPACE`, dimensions ``Stack`` and ``Table``), where the
Monitoring component alarms on a gold table older than its freshness target or a run that
quarantines more than its allowed share.
"""

from __future__ import annotations

NAMESPACE = "Lakehouse/Pipeline"
DATA_AGE = "DataAgeSeconds"  # age of the newest applied change a table holds, at the end of a run
ROWS_APPLIED = "RowsApplied"
ROWS_QUARANTINED = "RowsQuarantined"
QUARANTINED_PERCENT = "QuarantinedPercent"  # quarantined / read, per run and table, in percent
