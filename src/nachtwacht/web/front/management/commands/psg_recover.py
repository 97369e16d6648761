"""``nachtwacht manage psg_recover``: tidy up after a killed server process.

Marks sleep-study analyses whose process is gone as interrupted (the sleeper sees a
"start again" button) and removes partial uploads (``*.part``) older than
``--max-age`` seconds. Safe to run at every start and from cron while serving.
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
        rows = psgjobs.recover_interrupted()
        files = psgjobs.clean_temp_files(max_age)
        self.stdout.write(f"interrupted analyses: {rows}; partial uploads removed: {files}")
