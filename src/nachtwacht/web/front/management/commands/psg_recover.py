"""``nachtwacht manage psg_recover``: tidy up after a killed server process.

Queues again the jobs whose worker is gone (``nachtwacht.web.jobs.recovery``), marks
pre-queue analyses whose process is gone as interrupted (the sleeper sees a "start
again" button) and removes partial uploads, upload temp files and partial exports
older than ``--max-age`` seconds, and exports past their keeping time. Safe to run at every start and from cron while serving.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from nachtwacht.web import psgjobs


class Command(BaseCommand):
    help = "Mark interrupted sleep-study analyses and remove stale partial uploads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--max-age", type=float, default=psgjobs.TEMP_MAX_AGE_S,
                            help="Remove partial uploads not written to for this many seconds "
                                 "(default %(default)s).")

    def handle(self, *args, max_age: float, **options) -> None:
        # The queue's recovery (nachtwacht.web.jobs.recovery): lost jobs queued again,
        # rows from before the queue marked interrupted, old exports and temp files removed.
        from nachtwacht.web.jobs.recovery import recover_all

        found = recover_all(max_age)
        self.stdout.write(f"jobs queued again: {found['jobs']}; interrupted analyses: {found['legacy']}; "
                          f"expired exports: {found['exports']}; partial uploads removed: {found['files']}")
