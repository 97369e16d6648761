"""Many nights through the same :func:`~nachtwacht.psg.pipeline.analyse`, on Dask.

One row per night goes to a Parquet file (key figures plus an ``error`` column).
A run is resumable: nights already in the output are skipped, and every finished
night is appended to a sidecar state file (``<out>.state.jsonl``) at once, so an
interrupted batch loses at most the nights in flight. A failing night is
reported in its row and never stops the batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SIGNAL_EXTS = (".edf", ".bdf", ".rec")
#: Figures copied from the analysis into the row of a night.
ROW_STATS = ("TIB", "TST", "SPT", "WASO", "SOL", "SE", "N1", "N2", "N3", "REM", "%N1", "%N2",
             "%N3", "%REM", "rem_latency_min", "awakenings", "stage_shifts", "cycles")


def find_recordings(directory: str | Path) -> list[Path]:
    """Signal files (EDF/BDF) under ``directory``, skipping Sleep-EDF hypnogram files."""
    out = []
    for p in sorted(Path(directory).rglob("*")):
        if p.suffix.lower() in SIGNAL_EXTS and p.is_file() and "hypnogram" not in p.name.lower():
            out.append(p)
    return out


def analyse_one(path: str, hypnogram: str | None = None) -> dict[str, Any]:
    """Analyse one night and return its row; errors become the ``error`` column."""
    import time

    from nachtwacht.psg.errors import PSGError
    from nachtwacht.psg.pipeline import analyse

    t0 = time.perf_counter()
    row: dict[str, Any] = {"file": str(path), "error": None}
    try:
        res = analyse(path, hypnogram=hypnogram, lang="en", fit="pad" if hypnogram else None)
        d = res.to_json()
        stats = d["stats"] or {}
        for k in ROW_STATS:
            v = stats.get(k)
            row[k] = float(v) if isinstance(v, int | float) else None
        row["start"] = d["recording"]["start"]
        row["duration_s"] = d["recording"]["duration_s"]
        row["n_channels"] = len(d["recording"]["channels"])
        row["skipped"] = json.dumps(d["skipped"], ensure_ascii=False)
        for name, ev in d["events"].items():
            for k, v in ev["summary"].items():
                if isinstance(v, int | float) and not isinstance(v, bool):
                    row[f"{name}.{k}"] = float(v)
    except PSGError as exc:
        row["error"] = f"{exc.code}: {exc.text('en')}"
    except Exception as exc:  # a broken night is reported, never fatal for the batch
        row["error"] = f"{type(exc).__name__}: {exc}"
    row["seconds"] = round(time.perf_counter() - t0, 2)
    return row


def _state_path(out: Path) -> Path:
    return out.with_name(out.name + ".state.jsonl")


def done_files(out: Path) -> dict[str, dict[str, Any]]:
    """Rows already finished, from the Parquet output and the state file."""
    rows: dict[str, dict[str, Any]] = {}
    if out.exists():
        import pandas as pd

        df = pd.read_parquet(out)
        # Parquet gives NaN for missing values; a row without error must stay without error.
        for r in df.astype(object).where(df.notna(), None).to_dict("records"):
            rows[str(r["file"])] = r
    state = _state_path(out)
    if state.exists():
        for line in state.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a half-written last line of an interrupted run
                rows[str(r["file"])] = r
    return rows


def _write(out: Path, rows: Iterable[dict[str, Any]]) -> None:
    import pandas as pd

    df = pd.DataFrame(list(rows))
    if "file" in df:
        df = df.sort_values("file").reset_index(drop=True)
    tmp = out.with_name(out.name + ".tmp")
    df.to_parquet(tmp, index=False)
    tmp.replace(out)


def run_batch(
    directory: str | Path,
    out: str | Path,
    scheduler: str | None = None,
    n_workers: int = 2,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
    retry_failed: bool = False,
) -> dict[str, Any]:
    """Analyse every recording under ``directory`` into ``out`` (Parquet).

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing Dask scheduler; default a local cluster of
        ``n_workers`` processes with one thread each.
    progress : callable, optional
        Called as ``progress(done, total, row)`` after each night.
    retry_failed : bool
        Re-run nights whose earlier row has an error (default: keep them).

    Returns
    -------
    dict
        ``{"total", "skipped_done", "analysed", "failed": [(file, error)], "out"}``.
    """
    from nachtwacht.psg._deps import require

    distributed = require("dask.distributed")
    out = Path(out)
    files = [str(p) for p in find_recordings(directory)]
    rows = done_files(out)
    todo = [f for f in files if f not in rows or (retry_failed and rows[f].get("error"))]
    summary: dict[str, Any] = {"total": len(files), "skipped_done": len(files) - len(todo),
                               "analysed": 0, "failed": [], "out": str(out)}
    if todo:
        if scheduler:
            client = distributed.Client(scheduler)
        else:
            client = distributed.Client(processes=True, n_workers=n_workers, threads_per_worker=1,
                                        dashboard_address=None, silence_logs=40)
        try:
            futures = [client.submit(analyse_one, f, key=f"analyse-{i}-{Path(f).name}", pure=False)
                       for i, f in enumerate(todo)]
            with open(_state_path(out), "a", encoding="utf-8") as state:
                for k, fut in enumerate(distributed.as_completed(futures), 1):
                    try:
                        row = fut.result()
                    except Exception as exc:  # the worker itself died
                        row = {"file": todo[futures.index(fut)], "error": f"worker: {exc}"}
                    rows[row["file"]] = row
                    state.write(json.dumps(row, default=str) + "\n")
                    state.flush()
                    summary["analysed"] += 1
                    if progress:
                        progress(k, len(todo), row)
        finally:
            client.close()
    _write(out, rows.values())
    _state_path(out).unlink(missing_ok=True)
    summary["failed"] = [(f, r["error"]) for f, r in sorted(rows.items()) if r.get("error")]
    return summary
