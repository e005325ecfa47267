"""BatchProcessing: the job graph as Glue 5.1 jobs, a Step Functions state machine, a schedule, EMR Serverless."""

from .component import REGISTRATION, BatchOutputs, BatchProcessing
from .config import BatchConfig, EmrServerlessConfig, JobOverride

__all__ = [
    "REGISTRATION",
    "BatchConfig",
    "BatchOutputs",
    "BatchProcessing",
    "EmrServerlessConfig",
    "JobOverride",
]
