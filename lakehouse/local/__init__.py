"""Local runs: the job graph on local Spark, the demo and its report, handlers served on loopback."""
