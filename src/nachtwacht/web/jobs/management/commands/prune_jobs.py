"""``nachtwacht manage prune_jobs``: remove ended background jobs after the retention.

Finished and failed job rows (and their export/report files) and the task backend's
own rows older than ``--days`` (default ``NACHTWACHT_JOB_RETENTION_DAYS``, 30). Every
worker (so also ``nachtwacht serve``) does this at start and once a day; this command is
for cron or for a shorter retention now. Queued and running jobs are never touched.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Remove finished and failed background jobs older than the retention."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="Keep ended jobs this many days (default: "
                                 f"NACHTWACHT_JOB_RETENTION_DAYS, now {settings.JOB_RETENTION_DAYS}).")

    def handle(self, *args, days: int | None, **options) -> None:
        from nachtwacht.web.jobs.recovery import prune_finished

        if days is not None and days < 0:
            self.stderr.write("--days must be 0 or more")
            raise SystemExit(2)
        found = prune_finished(days)
        self.stdout.write(f"ended jobs removed: {found['jobs']}; task rows removed: {found['tasks']}")
