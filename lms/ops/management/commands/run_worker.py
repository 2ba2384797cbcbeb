import contextlib
import os
import socket
import threading
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.signals import task_finished, task_started

from lms.ops.selectors import scheduler_worker_id
from lms.ops.services import (
    worker_become,
    worker_heartbeat,
    worker_stopped,
    worker_task_finished,
    worker_task_started,
)


class Command(BaseCommand):
    help = (
        "Run a task worker for the configured backend, serving the given lanes (queues), "
        "and report a heartbeat for /readyz/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--heartbeat", type=float, default=15.0, help="Seconds between heartbeats."
        )
        parser.add_argument(
            "--queues",
            default="",
            help=(
                "The lanes this worker serves, comma-separated, first the one it takes "
                "first: e.g. onboarding,default (the fast lane) or long (transcodes, big "
                "exports). Default: all of settings.TASK_QUEUES."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        known = list(settings.TASK_QUEUES)
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()] or known
        unknown = [q for q in queues if q not in known]
        if unknown:
            raise CommandError(
                f"unknown queue {', '.join(unknown)}: settings.TASK_QUEUES has {', '.join(known)}"
            )
        worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        started_at = timezone.now()
        stop = threading.Event()
        worker_become(worker_id=worker_id)

        def beat_once() -> None:
            try:
                worker_heartbeat(
                    worker_id=worker_id,
                    hostname=socket.gethostname(),
                    backend=backend,
                    started_at=started_at,
                    queues=queues,
                )
            except Exception as exc:  # a busy database must not kill the worker
                self.stderr.write(f"heartbeat failed: {exc}")
            finally:
                close_old_connections()

        def beat() -> None:
            while not stop.wait(options["heartbeat"]):
                beat_once()

        # Alive before the first job is claimed and before the start-up sweep looks for
        # the jobs of dead workers: this worker's own must never count as orphaned.
        beat_once()
        self._track_tasks(worker_id)
        self._enqueue(getattr(settings, "ONRAMP_WORKER_START_TASKS", []))
        thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
        thread.start()
        scheduler = threading.Thread(
            target=self._enqueue_periodic_tasks,
            args=(stop, worker_id),
            name="periodic",
            daemon=True,
        )
        scheduler.start()
        try:
            if backend.startswith("django_tasks_rq"):
                # RQ takes its queues in the order given: the first lane first.
                call_command(
                    "rqworker", *queues, "--job-class", "django_tasks_rq.Job", "--with-scheduler"
                )
            else:
                # The database backend takes the highest priority first, whichever of these
                # lanes it is in (onboarding work outranks Wagtail's on "default").
                # No autoreloader: it would fork a child that Ctrl-C and SIGTERM do not reach.
                call_command(
                    "db_worker", "--queue-name", ",".join(queues), "--interval", "1", "--no-reload"
                )
        finally:
            stop.set()
            thread.join(timeout=5)
            worker_stopped(worker_id=worker_id)

    def _track_tasks(self, worker_id: str) -> None:
        """Record the task being run on the heartbeat, for /readyz/'s "stuck"."""

        def started(sender: Any, task_result: Any, **kwargs: Any) -> None:
            with contextlib.suppress(Exception):  # bookkeeping must not fail the task
                worker_task_started(
                    worker_id=worker_id, task=f"{task_result.task.module_path} {task_result.id}"
                )

        def finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
            with contextlib.suppress(Exception):
                worker_task_finished(worker_id=worker_id)

        # weak=False: the closures have no other reference and must live as long as we do.
        uid = f"onramp-worker-{worker_id}"
        task_started.connect(started, weak=False, dispatch_uid=uid)
        task_finished.connect(finished, weak=False, dispatch_uid=uid)

    def _enqueue(self, names: list[str]) -> None:
        for name in names:
            try:
                import_string(name).enqueue()
            except Exception as exc:  # a broken queue must not kill the worker
                self.stderr.write(f"could not enqueue {name}: {exc}")
            finally:
                close_old_connections()

    def _enqueue_periodic_tasks(self, stop: threading.Event, worker_id: str) -> None:
        """Enqueue ONRAMP_PERIODIC_TASKS on their intervals (a first run soon after start).

        Only one worker schedules: the longest-running live one (`scheduler_worker_id`),
        whichever lanes it serves, since any worker may enqueue into any lane. When it
        stops or dies, the next one takes over once its heartbeat is stale. The tasks are
        idempotent, so the odd double run at a hand-over costs a little work and sends
        nothing twice.
        """
        schedule = list(getattr(settings, "ONRAMP_PERIODIC_TASKS", []))
        next_run = {name: time.monotonic() + 30 for name, _interval in schedule}
        while not stop.wait(5):
            due = [name for name, _interval in schedule if time.monotonic() >= next_run[name]]
            if not due or not self._is_scheduler(worker_id):
                continue
            for name, interval in schedule:
                if name in due:
                    next_run[name] = time.monotonic() + max(int(interval), 60)
                    self._enqueue([name])

    def _is_scheduler(self, worker_id: str) -> bool:
        try:
            return scheduler_worker_id() == worker_id
        except Exception as exc:  # a busy database must not kill the worker
            self.stderr.write(f"could not tell the scheduling worker: {exc}")
            return False
        finally:
            close_old_connections()
