"""The sleep diary core: nights, episodes and profile as plain values.

Modules
-------
fields      the one definition of every field (name = CSV header, kind, range, labels)
types       frozen dataclasses ``Night``, ``Episode``, ``Profile``, ``Diary``
clock       place clock times on the calendar, DST-safe durations
values      read/write one cell (``parse_value``, ``format_value``)
validate    field and cross-field rules (``validate_night``, ``validate_nights``, ...)
errors      ``RowError``, ``DiaryImportError``; messages: their Dutch/English texts
csvio       ``read_nights``, ``read_episodes``, ``read_profile``, writers, ``load_diary``
metrics     Consensus Sleep Diary metrics per night and per period (incl. SRI)
demo        deterministic demo household with planted patterns

Nothing here imports Django or the command line; submodules are imported on demand.
"""
