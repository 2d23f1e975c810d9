"""Batch-system backends behind one interface."""

from .base import (
    JOB_ACTIONS,
    LISTING_COLUMNS,
    ActionResult,
    InvalidJobId,
    Job,
    JobAction,
    JobState,
    Partition,
    Row,
    Scheduler,
    SchedulerError,
    validate_job_id,
)

__all__ = [
    "JOB_ACTIONS",
    "LISTING_COLUMNS",
    "ActionResult",
    "InvalidJobId",
    "Job",
    "JobAction",
    "JobState",
    "Partition",
    "Row",
    "Scheduler",
    "SchedulerError",
    "validate_job_id",
]
