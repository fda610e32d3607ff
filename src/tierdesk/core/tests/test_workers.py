"""Worker heartbeats and the recovery of tasks left RUNNING by dead workers, in-process on the test
database. tests/test_worker_recovery.py does the same with real worker processes that get killed."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from tierdesk.core.models import WorkerHeartbeat
from tierdesk.core.workers import (
    MAX_CLAIMS,
    WORKER_LOST_ERROR,
    RunningTask,
    WorkerLiveness,
    _requeue,
    worker_heartbeat_record,
    worker_heartbeat_remove,
    worker_tasks_requeue_orphaned,
    worker_tasks_requeue_own,
)

pytestmark = pytest.mark.django_db

DEAD_AFTER = timedelta(seconds=60)
TASK_PATH = "tierdesk.mail.tasks.notify_ticket_created"


def running_task(*, worker_ids: list[str], started_ago: timedelta) -> DBTaskResult:
    """A task as django-tasks-db leaves it after `claim()`: RUNNING, last worker id appended."""
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {"ticket_id": 1}},
        task_path=TASK_PATH,
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=worker_ids,
        started_at=timezone.now() - started_ago,
    )


def heartbeat(worker_id: str, *, seen_ago: timedelta) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="desk-1", pid=4242, started_at=now - timedelta(hours=1), seen_at=now - seen_ago
    )


def status_of(task: DBTaskResult) -> tuple[str, list[str]]:
    task.refresh_from_db()
    return task.status, task.worker_ids


def test_a_task_of_a_silent_worker_is_queued_again_with_its_history(caplog: pytest.LogCaptureFixture) -> None:
    # given a task claimed two minutes ago by a worker last seen 90 seconds ago
    heartbeat("w-dead", seen_ago=timedelta(seconds=90))
    task = running_task(worker_ids=["w-earlier", "w-dead"], started_ago=timedelta(minutes=2))

    # when a worker sweeps
    with caplog.at_level(logging.WARNING, logger="tierdesk.core.workers"):
        requeued = worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER)

    # then the task is ready again, keeps the workers that took it, and a warning names it
    assert requeued == [str(task.pk)]
    assert status_of(task) == (TaskResultStatus.READY, ["w-earlier", "w-dead"])
    assert [record.getMessage() for record in caplog.records] == [
        f"task {task.pk} ({TASK_PATH}) queued again: its worker w-dead has not been seen for 60 s"
    ]
    # and the dead worker's heartbeat is forgotten
    assert not WorkerHeartbeat.objects.filter(worker_id="w-dead").exists()


def test_a_task_of_a_worker_without_any_heartbeat_is_queued_again() -> None:
    task = running_task(worker_ids=["w-vanished"], started_ago=timedelta(minutes=5))

    assert worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER) == [str(task.pk)]
    assert status_of(task) == (TaskResultStatus.READY, ["w-vanished"])


def test_tasks_of_live_workers_and_recent_claims_are_left_alone() -> None:
    # given a long task of a worker seen 5 seconds ago, and a fresh claim by a worker with no
    # heartbeat yet, and a finished task
    heartbeat("w-alive", seen_ago=timedelta(seconds=5))
    long_task = running_task(worker_ids=["w-dead", "w-alive"], started_ago=timedelta(hours=2))
    fresh_claim = running_task(worker_ids=["w-starting"], started_ago=timedelta(seconds=10))
    finished = running_task(worker_ids=["w-gone"], started_ago=timedelta(hours=1))
    DBTaskResult.objects.filter(pk=finished.pk).update(status=TaskResultStatus.SUCCESSFUL)

    # when a worker sweeps
    requeued = worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER)

    # then nothing changes
    assert requeued == []
    assert status_of(long_task)[0] == TaskResultStatus.RUNNING
    assert status_of(fresh_claim)[0] == TaskResultStatus.RUNNING
    assert status_of(finished)[0] == TaskResultStatus.SUCCESSFUL
    assert WorkerHeartbeat.objects.filter(worker_id="w-alive").exists()


def test_two_sweeps_requeue_a_task_once() -> None:
    # given a task of a dead worker
    task = running_task(worker_ids=["w-dead"], started_ago=timedelta(minutes=5))

    # when two workers sweep one after the other
    first = worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER)
    second = worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER)

    # then only the first one requeued it
    assert (first, second) == ([str(task.pk)], [])


def test_a_sweep_that_saw_an_old_claim_leaves_a_new_claim_alone() -> None:
    # given a sweep that read the task while its dead worker held it
    task = running_task(worker_ids=["w-dead"], started_ago=timedelta(minutes=5))
    assert task.started_at is not None
    seen = RunningTask(id=str(task.pk), task_path=TASK_PATH, worker_ids=["w-dead"], started_at=task.started_at)
    # and meanwhile another sweep requeued it and a live worker claimed it again
    worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER)
    task.refresh_from_db()
    task.claim("w-new")

    # when the first sweep acts on what it saw
    requeued = _requeue(seen, reason="stale read")

    # then the new claim stands: the task is not run twice at once
    assert requeued is False
    assert status_of(task) == (TaskResultStatus.RUNNING, ["w-dead", "w-new"])


def test_a_task_that_kept_killing_its_workers_is_failed(caplog: pytest.LogCaptureFixture) -> None:
    # given a task claimed by MAX_CLAIMS workers that all died
    task = running_task(worker_ids=[f"w-{n}" for n in range(MAX_CLAIMS)], started_ago=timedelta(minutes=5))

    # when a worker sweeps
    with caplog.at_level(logging.ERROR, logger="tierdesk.core.workers"):
        worker_tasks_requeue_orphaned(dead_after=DEAD_AFTER)

    # then it is failed, not queued for a sixth worker to die on
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == WORKER_LOST_ERROR
    assert task.finished_at is not None
    assert f"claimed {MAX_CLAIMS} times by workers that died" in caplog.text


def test_a_restarted_worker_requeues_what_its_earlier_process_left_running() -> None:
    # given a worker with a fixed id that was killed mid-task and restarted at once, so its
    # heartbeat is fresh again
    heartbeat("w-fixed", seen_ago=timedelta(seconds=1))
    left = running_task(worker_ids=["w-fixed"], started_ago=timedelta(seconds=20))
    others = running_task(worker_ids=["w-other"], started_ago=timedelta(seconds=20))

    # when the new process starts
    requeued = worker_tasks_requeue_own(worker_id="w-fixed", started_before=timezone.now())

    # then its old task is queued again and another worker's is not
    assert requeued == [str(left.pk)]
    assert status_of(others)[0] == TaskResultStatus.RUNNING


def test_the_heartbeat_is_created_refreshed_and_removed() -> None:
    started: datetime = timezone.now() - timedelta(minutes=1)

    # when a worker beats twice
    worker_heartbeat_record(worker_id="w-1", started_at=started)
    first = WorkerHeartbeat.objects.get(worker_id="w-1").seen_at
    worker_heartbeat_record(worker_id="w-1", started_at=started)
    row = WorkerHeartbeat.objects.get(worker_id="w-1")

    # then one row says when it started and was last seen
    assert (row.started_at, row.pid > 0, bool(row.host)) == (started, True, True)
    assert row.seen_at >= first

    # when it stops cleanly, the row goes
    worker_heartbeat_remove(worker_id="w-1")
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection: data must be committed
def test_liveness_beats_from_its_thread_while_the_worker_runs_and_forgets_it_after() -> None:
    # given a task left RUNNING by a worker that died long ago
    orphan = running_task(worker_ids=["w-dead"], started_ago=timedelta(minutes=5))

    # when a worker runs inside its liveness, beating every 0.1 s
    with WorkerLiveness(worker_id="w-live", interval=0.1, dead_after=DEAD_AFTER):
        # then it recovered the orphan on start, has a heartbeat, and its thread keeps it fresh
        assert status_of(orphan)[0] == TaskResultStatus.READY
        first_seen = WorkerHeartbeat.objects.get(worker_id="w-live").seen_at
        deadline = time.monotonic() + 10
        while WorkerHeartbeat.objects.get(worker_id="w-live").seen_at == first_seen:
            assert time.monotonic() < deadline, "the heartbeat thread never beat"
            time.sleep(0.05)

    # and the heartbeat is gone once it stopped
    assert not WorkerHeartbeat.objects.filter(worker_id="w-live").exists()
