"""Thin cloud entry points: one Glue 5.1 script per graph job (``entry.run``), the EMR Serverless
entry for any job, and the choice of the ``lake`` catalog they run against (``lake``)."""
