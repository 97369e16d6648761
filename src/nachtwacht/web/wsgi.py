"""WSGI entry point: ``gunicorn nachtwacht.web.wsgi``.

Each worker loads the analysis areas when it starts, not on its first request: the
first dashboard after a restart would otherwise wait a second or two for the
statistics libraries. Then everything loaded so far is moved out of the garbage
collector's sight (``gc.freeze``): Django, NumPy, SciPy and statsmodels are some
hundred thousand long-lived objects, and every full collection walked all of them
again, a pause of tens of milliseconds in the middle of someone's request (issue #16
item 5, ``bench/bench_web.py``). Objects made by requests are collected as before.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
application = get_wsgi_application()


def _warm() -> None:
    from nachtwacht.web.core import optional

    for area in ("nachtwacht.insight.triggers", "nachtwacht.triage", "nachtwacht.diary.metrics"):
        optional(area)  # a missing area is logged and shown as unavailable, as before


_warm()
gc.collect()
gc.freeze()
