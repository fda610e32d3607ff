"""Liveness of task workers and recovery of the tasks of dead ones.

Every `tierdesk worker` process keeps a `WorkerHeartbeat` row fresh from a thread of its own (a long
task must not make its worker look dead). Every worker also puts back in the queue the RUNNING tasks
whose last worker has no fresh heartbeat: django-tasks-db alone leaves the task of a killed worker
RUNNING forever. This module never runs tasks (django-tasks-db's worker does) and knows no domain
noun; tasks must be safe to run again (see docs/adr/0005-worker-heartbeats.md)."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tierdesk.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A task claimed this many times without finishing is failed instead of queued again: it is most
# likely what kills its workers (memory, a native crash), and every worker would die on it in turn.
MAX_CLAIMS = 5
WORKER_LOST_ERROR = "tierdesk.core.workers.WorkerLost"


@dataclass(frozen=True)
class RunningTask:
    """A RUNNING task as the sweep saw it; `started_at` identifies the claim (every claim sets it)."""

    id: str
    task_path: str
    worker_ids: list[str]
    started_at: datetime

    @property
    def worker_id(self) -> str:
        return self.worker_ids[-1] if self.worker_ids else ""


def _running_tasks(*, started_before: datetime) -> list[RunningTask]:
    rows = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=started_before)
        .values_list("id", "task_path", "worker_ids", "started_at")
    )
    # started_at__lt excludes NULL; the check is for the type checker.
    return [
        RunningTask(id=str(pk), task_path=path, worker_ids=list(ids or []), started_at=started)
        for pk, path, ids, started in rows
        if started is not None
    ]


def _requeue(task: RunningTask, *, reason: str) -> bool:
    """Put `task` back in the queue (READY), or fail it after MAX_CLAIMS claims; False when another
    worker got there first. The UPDATE is conditional on the claim the caller saw: two sweeps that
    both found the task see one of them win, and a task claimed again since is left to its new
    worker. That makes it safe with any number of workers, on PostgreSQL and on SQLite alike."""
    claim = DBTaskResult.objects.filter(pk=task.id, status=TaskResultStatus.RUNNING, started_at=task.started_at)
    if len(task.worker_ids) >= MAX_CLAIMS:
        failed = claim.update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            return_value=None,
            exception_class_path=WORKER_LOST_ERROR,
            traceback=f"{WORKER_LOST_ERROR}: {len(task.worker_ids)} workers died running this task ({reason})\n",
        )
        if failed:
            logger.error(
                "task %s (%s) failed: claimed %s times by workers that died, last %s",
                task.id,
                task.task_path,
                len(task.worker_ids),
                task.worker_id,
            )
        return bool(failed)
    # worker_ids is left as it is: the history of every worker that took the task.
    requeued = claim.update(status=TaskResultStatus.READY)
    if requeued:
        logger.warning("task %s (%s) queued again: %s", task.id, task.task_path, reason)
    return bool(requeued)


def worker_tasks_requeue_orphaned(*, dead_after: timedelta) -> list[str]:
    """Queue again every RUNNING task whose last worker has not been seen for `dead_after`, and
    return their ids. A task claimed less than `dead_after` ago is never touched, whatever its
    worker, so a worker that has not written its first heartbeat yet loses nothing.

    Also forgets heartbeats older than `dead_after`, so the table lists the live workers only."""
    limit = timezone.now() - dead_after
    candidates = _running_tasks(started_before=limit)
    requeued = []
    if candidates:
        alive = set(
            WorkerHeartbeat.objects.filter(
                worker_id__in={task.worker_id for task in candidates}, seen_at__gte=limit
            ).values_list("worker_id", flat=True)
        )
        for task in candidates:
            if task.worker_id in alive:
                continue
            reason = f"its worker {task.worker_id or '(none)'} has not been seen for {dead_after.total_seconds():g} s"
            if _requeue(task, reason=reason):
                requeued.append(task.id)
    WorkerHeartbeat.objects.filter(seen_at__lt=limit).delete()
    return requeued


def worker_tasks_requeue_own(*, worker_id: str, started_before: datetime) -> list[str]:
    """Queue again the tasks left RUNNING under `worker_id` by an earlier process with the same id
    (a worker restarted with a fixed `--worker-id`): the new process's heartbeat would otherwise
    make them look alive for ever."""
    return [
        task.id
        for task in _running_tasks(started_before=started_before)
        if task.worker_id == worker_id and _requeue(task, reason=f"its worker {worker_id} restarted")
    ]


def worker_heartbeat_record(*, worker_id: str, started_at: datetime) -> None:
    """Record that this process, worker `worker_id`, is alive now. One UPDATE in the usual case;
    the row is created on the first beat and again if a sweep dropped it as stale."""
    now = timezone.now()
    if WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now):
        return
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(
                worker_id=worker_id,
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=started_at,
                seen_at=now,
            )
    except IntegrityError:
        # Created between our UPDATE and INSERT: only by a second process started with the same
        # --worker-id, which django-tasks-db forbids. Keep the row fresh all the same.
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)


def worker_heartbeat_remove(*, worker_id: str) -> None:
    """Forget worker `worker_id`: it stops cleanly, with no task of its own left RUNNING."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class WorkerLiveness:
    """Around a worker's run: recover what a previous process left, keep a heartbeat going from a
    daemon thread that also sweeps for the tasks of dead workers, and remove the heartbeat on exit.

    The thread has its own database connections (Django's are per thread) and survives database
    errors: a missed beat is logged and tried again at the next one."""

    def __init__(self, *, worker_id: str, interval: float, dead_after: timedelta) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.dead_after = dead_after
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat_until_stopped, name=f"heartbeat-{worker_id}", daemon=True)

    def __enter__(self) -> WorkerLiveness:
        self.started_at = timezone.now()
        worker_tasks_requeue_own(worker_id=self.worker_id, started_before=self.started_at)
        worker_heartbeat_record(worker_id=self.worker_id, started_at=self.started_at)
        worker_tasks_requeue_orphaned(dead_after=self.dead_after)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
        try:
            worker_heartbeat_remove(worker_id=self.worker_id)
        except Exception:  # the database may be what stopped us; the row goes stale and is swept
            logger.exception("worker %s: could not remove its heartbeat", self.worker_id)

    def beat(self) -> None:
        """One heartbeat and one sweep; errors are logged, never raised (the thread must live on)."""
        try:
            close_old_connections()  # drop a connection the database closed since the last beat
            if self._stop.is_set():
                return
            worker_heartbeat_record(worker_id=self.worker_id, started_at=self.started_at)
            worker_tasks_requeue_orphaned(dead_after=self.dead_after)
        except Exception:
            logger.exception("worker %s: heartbeat failed; trying again in %g s", self.worker_id, self.interval)

    def _beat_until_stopped(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.beat()
        finally:
            connections.close_all()  # this thread's connections only
