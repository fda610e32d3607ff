"""`tierdesk worker`: django-tasks-db's `db_worker`, with every one of its options, inside a
`WorkerLiveness` that keeps this process's heartbeat and queues again the tasks of dead workers."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from tierdesk.core.workers import WorkerLiveness


class Command(DbWorkerCommand):
    help = (
        "Run the background task worker (django-tasks-db's db_worker) with a heartbeat; tasks left "
        "running by a worker that died are queued again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = int(settings.TIERDESK_WORKER_HEARTBEAT_SECONDS)
        dead_after = int(settings.TIERDESK_WORKER_DEAD_AFTER_SECONDS)
        if interval < 1:
            raise CommandError("TIERDESK_WORKER_HEARTBEAT_SECONDS must be 1 or more.")
        if dead_after <= 2 * interval:
            # One late beat (a busy database, a paused VM) must not make a live worker look dead.
            raise CommandError(
                "TIERDESK_WORKER_DEAD_AFTER_SECONDS must be more than twice TIERDESK_WORKER_HEARTBEAT_SECONDS."
            )
        if options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent process only watches files; its child runs the tasks and beats.
            super().handle(*args, **options)
            return
        with WorkerLiveness(
            worker_id=options["worker_id"], interval=interval, dead_after=timedelta(seconds=dead_after)
        ):
            super().handle(*args, **options)
