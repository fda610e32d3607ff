"""Abstract model bases shared by every app, and the one concrete table of the process
infrastructure: task-worker heartbeats (no domain noun; see docs/adr/0005-worker-heartbeats.md)."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Adds creation and last-change instants."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One live task-worker process: it refreshes `seen_at` every few seconds and removes its row
    when it stops cleanly. A task RUNNING under a worker id whose row is missing or stale belongs to
    a dead process and is put back in the queue (`tierdesk.core.workers`)."""

    # The id django-tasks-db appends to DBTaskResult.worker_ids when this process claims a task.
    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} (pid {self.pid} on {self.host}), seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
