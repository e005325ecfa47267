"""The batch jobs: each a module with ``main(argv, spark=None)`` over plain PySpark (etl/graph.py lists them)."""


class JobCannotRun(ValueError):
    """The lake is not in a state this job can run on (not a bug): the message says why and what to
    do; a runner reports it after the results of the jobs that did run."""
