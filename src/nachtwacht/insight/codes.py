"""Names and defaults of the insight area that shells need without loading NumPy/SciPy.

The CLI builds its options (choices, defaults) from these at start-up, so
``nachtwacht --help`` stays fast. :mod:`.triggers`, :mod:`.experiments` and
:mod:`.factors` check at import that they agree with this module.
"""

from __future__ import annotations

#: Fewer diary nights than this: "not enough data yet" (default of ``analyse``).
MIN_NIGHTS = 14

#: Codes of the ready-made experiments (:data:`.experiments.LIBRARY`).
EXPERIMENT_CODES = (
    "no_caffeine_after_14",
    "wind_down_45",
    "no_alcohol_weeknights",
    "fixed_rise_time",
    "relaxation_daily",
    "no_screens_last_hour",
)

#: Codes of the yes/no factors a custom experiment can be built on (:data:`.factors.FACTORS`).
FACTOR_CODES = (
    "alcohol_any", "alcohol_3plus", "alcohol_late", "caffeine_after_14", "caffeine_after_15",
    "caffeine_300mg", "stress_high", "short_sleep_before", "late_exercise", "shift_work",
    "nap_30", "nicotine", "screens_last_hour", "late_work", "travel", "wind_down",
    "relaxation", "slept_apart",
)
