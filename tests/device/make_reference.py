"""Compute reference IS/IV/L5/M10/RA with pyActigraphy 1.2.2's own metric functions.

pyActigraphy does not install here (see ``src/nachtwacht/device/actigraph.py``), so this
script loads its ``metrics/metrics.py`` and ``utils/utils.py`` straight from the unpacked
wheel (``pip download pyactigraphy --no-deps``; unzip; pass the folder), with statsmodels
stubbed (only imported, unused by these functions), and applies them to the recordings
read by our readers, exactly as ``BaseRaw.IS()``/``IV()``/``L5()``/``M10()`` do
(binarised at > 4, hourly ``resample(origin='start').sum()``). Its output is pasted into
``test_device_rhythm.py``. Usage: python make_reference.py /tmp/pyact/x
"""

import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd

root = Path(sys.argv[1]) / "pyActigraphy"
sys.modules["statsmodels"] = types.ModuleType("statsmodels")
sys.modules["statsmodels.api"] = types.ModuleType("statsmodels.api")
utils = types.ModuleType("pa_utils")
# pandas 3 dropped timedelta_range(closed=...): the same index by its length.
src = (root / "utils/utils.py").read_text()
for end in ("end='2 days',", "end='1 day',", "end='12h',"):
    src = src.replace(end, "periods=len(avgdaily),")
src = src.replace("closed='left'", "")
exec(compile(src, "utils.py", "exec"), utils.__dict__)  # noqa: S102 - a trusted local file
mtxt = (root / "metrics/metrics.py").read_text().split("class MetricsMixin")[0]
mtxt = mtxt.replace("from ..utils.utils import", "from pa_utils import")
sys.modules["pa_utils"] = utils
metrics = types.ModuleType("pa_metrics")
exec(compile(mtxt, "metrics.py", "exec"), metrics.__dict__)  # noqa: S102

from nachtwacht.device import read_device  # noqa: E402

for name in ("example_01.AWD", "test_sample_aw7.AWD", "test_sample_atr.txt"):
    rec = read_device(Path(__file__).parent / "data" / name)
    idx = pd.date_range(rec.start, periods=len(rec.counts), freq=f"{rec.epoch_s}s")
    raw = pd.Series(rec.counts, index=idx)
    b = pd.Series(np.where(raw > 4, 1, 0), index=idx).where(raw.notna(), np.nan)
    hourly = b.resample("1h", origin="start").sum()
    _, l5 = metrics._lmx(b, "5h", lowest=True)
    _, m10 = metrics._lmx(b, "10h", lowest=False)
    print(f'"{name}": {{"is": {metrics._interdaily_stability(hourly)!r}, '
          f'"iv": {metrics._intradaily_variability(hourly)!r}, "l5": {l5!r}, "m10": {m10!r}, '
          f'"ra": {(m10 - l5) / (m10 + l5)!r}}},')
