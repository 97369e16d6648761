"""Sleep starts (hypnic jerks): brief generalised EMG bursts as wakefulness turns into sleep.

There is no AASM scoring rule: sleep starts are a normal variant (ICSD-3). Described
in the literature as EMG bursts of 75-250 ms at the wake→N1 transition, often in
several muscles at once (Whitney & Weiss 2018; JCSM doi 10.5664/jcsm.27931). Here a
sleep start is a burst of 75 ms to ``max_burst_s`` on at least two EMG channels
(chin, legs, arm, masseter) with onsets within 250 ms, within ±60 s of a wake→N1 or
wake→N2 transition in the hypnogram.

Bursts outside these windows are counted as ``other_generalised_bursts``. Longer
bursts (propriospinal myoclonus lasts 200 ms-2 s) and trains of very short
potentials (fragmentary myoclonus) are not sleep starts; a high count of
generalised bursts away from sleep onset is worth a note, not a diagnosis.

The heartbeat reaches every EMG lead at the same moment and would look like a
generalised brief burst, so it is subtracted first (:mod:`._ecg`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nachtwacht.psg.events import _ecg, _emg
from nachtwacht.psg.events._common import (
    CHUNK,
    SkipDetector,
    check_usable,
    params_dict,
    runs,
    skipped,
    stage_label,
)
from nachtwacht.psg.types import N1, N2, WAKE, Channel, DetectorResult, Event, Hypnogram, Recording

NAME = "sleep_starts"
REQUIRES = (("emg_chin", "leg_l", "leg_r", "arm", "emg_masseter"),)
#: Results of other detectors this one reads (none).
NEEDS: tuple[str, ...] = ()
_ROLES = ("emg_chin", "leg_l", "leg_r", "arm", "emg_masseter")


@dataclass(frozen=True)
class Params:
    """Sleep-start parameters."""

    #: Shortest burst, s (Whitney & Weiss 2018: 75 ms).
    min_burst_s: float = 0.075
    #: Longest burst, s (published 250 ms; tolerant to 0.5 s for envelope smearing,
    #: implementation choice).
    max_burst_s: float = 0.5
    #: Burst amplitude over the running background, × (implementation choice, unverified).
    burst_factor: float = 4.0
    #: Background = running median over this window, s (implementation choice).
    background_s: float = 10.0
    #: Channels that must burst together (literature: "often several muscles at once").
    min_channels: int = 2
    #: Maximum spread of onsets across channels, s (implementation choice: 250 ms).
    max_spread_s: float = 0.25
    #: Window around a wake→sleep transition, s (implementation choice: ±60 s).
    transition_window_s: float = 60.0
    #: Envelope RMS window, s (short, to resolve 75-ms bursts; implementation choice).
    envelope_s: float = 0.03
    #: Subtract the heartbeat from the EMG before scoring (the QRS hits every lead at
    #: once and would pass as a generalised burst; R peaks from the ECG channel, else
    #: from the EMG itself - see ``_ecg``).
    remove_ecg: bool = True


def _bursts(ch: Channel, p: Params, ecg: np.ndarray | str | None = None) -> np.ndarray:
    """(onset_s, end_s, peak ratio) rows of brief bursts on one channel.

    The envelope runs at the channel's own rate (75-ms bursts), so it is never held for
    the whole night: it is computed once, in chunks, and each chunk is scored as soon
    as the background (a running median of 0.5-s block medians over
    ``background_s``) is known around it, i.e. once the next chunk's blocks exist. At
    most two chunks are alive; computing the envelope twice (the old two passes) took
    half of this detector's time.
    """
    kw = {"win_s": p.envelope_s, "out_sf": 200.0, "ecg": ecg}
    step = max(1, int(round(ch.sf / kw["out_sf"])))
    fs = ch.sf / step
    bs = max(1, int(round(0.5 * fs)))
    # Chunks of whole background blocks, so the block medians join up exactly.
    chunk = max(1, CHUNK // (bs * step)) * bs * step
    # Blocks each side of a chunk that the running median (size blocks) and the
    # interpolation between block centres reach: with them, the filter over a slice
    # gives the same values there as over the whole night.
    margin = max(1, int(round(p.background_s / 0.5))) + 2
    blocks: list[np.ndarray] = []
    n_blocks = 0
    pending: list[tuple[int, np.ndarray]] = []
    starts: list[np.ndarray] = []
    stops: list[np.ndarray] = []
    peaks: list[np.ndarray] = []

    def score(o: int, v: np.ndarray, last: bool) -> None:
        allb = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
        j0 = max(0, o // bs - margin)
        j1 = allb.size if last else (o + v.size) // bs + margin
        base = _emg.running_from_blocks(allb[j0:j1], 50.0, window_s=p.background_s,
                                        block_s=0.5)
        centres = (np.arange(j0, j1) + 0.5) * bs
        bg = np.interp(np.arange(o, o + v.size), centres, base)
        s, e = runs(v >= p.burst_factor * np.maximum(bg, 1e-6))
        if s.size == 0:
            return
        # Peak of v / background per run, via one reduceat over [start, stop) pairs.
        ratio = np.append(v / bg, 0.0)
        pk = np.maximum.reduceat(ratio, np.column_stack((s, e)).ravel())[::2]
        s, e = s + o, e + o
        if stops and s[0] == o and stops[-1][-1] == o:
            # A burst running over the chunk edge: one run.
            stops[-1][-1] = e[0]
            peaks[-1][-1] = max(peaks[-1][-1], pk[0])
            s, e, pk = s[1:], e[1:], pk[1:]
        starts.append(s)
        stops.append(e)
        peaks.append(pk)

    for o, v in _emg.envelope_chunks(ch, chunk=chunk, **kw):
        blocks.append(_emg.block_percentiles(v, bs, 50.0))
        n_blocks += blocks[-1].size
        pending.append((o, v))
        # Score the waiting chunks whose background is now complete (in order).
        while pending and (pending[0][0] + pending[0][1].size) // bs + margin <= n_blocks \
                and len(pending) > 1:
            score(*pending.pop(0), last=False)
    for i, (o, v) in enumerate(pending):
        score(o, v, last=i == len(pending) - 1)
    if not starts:
        return np.zeros((0, 3))
    s, e, pk = np.concatenate(starts), np.concatenate(stops), np.concatenate(peaks)
    d = (e - s) / fs
    ok = (d >= p.min_burst_s) & (d <= p.max_burst_s)
    return np.column_stack((s[ok] / fs, e[ok] / fs, pk[ok])).astype(np.float64).reshape(-1, 3)


def transitions(hyp: Hypnogram) -> np.ndarray:
    """Times (s) of wake→N1 and wake→N2 transitions."""
    st = hyp.stages
    i = np.flatnonzero((st[:-1] == WAKE) & np.isin(st[1:], (N1, N2))) + 1
    return i * hyp.epoch_s


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Find generalised brief bursts near sleep onset; count sleep starts per transition."""
    p = params or Params()
    notes: list[str] = []
    chans: list[Channel] = []
    reasons: list[str] = []
    seen: set[str] = set()
    for ch in rec.channels.values():
        if ch.role not in _ROLES or ch.name in seen:
            continue
        try:
            check_usable(ch, min_sf=_emg.MIN_EMG_SF, what="EMG")
            chans.append(ch)
            seen.add(ch.name)
        except SkipDetector as exc:
            reasons.append(f"{exc.code}: {exc.reason}")
    if len(chans) < p.min_channels:
        code = "missing_channel"
        if reasons and any(r.startswith("low_sampling_rate") for r in reasons):
            code = "low_sampling_rate"
        elif reasons and any(r.startswith("flat_channel") for r in reasons):
            code = "flat_channel"
        why = (f"sleep starts need {p.min_channels} usable EMG channels (chin, legs, arm); "
               f"found {len(chans)}" + (f" ({'; '.join(reasons)})" if reasons else ""))
        return skipped(NAME, code, why, p)

    ecg = _ecg.peaks_for(rec) if p.remove_ecg else None
    per = []
    for ch in chans:
        b = _bursts(ch, p, ecg)
        per.append(np.column_stack((b, np.full(len(b), len(per)))))
    allb = np.concatenate(per) if per else np.zeros((0, 4))
    allb = allb[np.argsort(allb[:, 0])]
    # Cluster onsets across channels within max_spread_s; keep clusters spanning enough channels.
    jerks: list[tuple[float, float, list[str], float]] = []
    i = 0
    while i < len(allb):
        j = i
        while j + 1 < len(allb) and allb[j + 1, 0] - allb[i, 0] <= p.max_spread_s:
            j += 1
        grp = allb[i:j + 1]
        names = sorted({chans[int(k)].name for k in grp[:, 3]})
        if len(names) >= p.min_channels:
            jerks.append((float(grp[:, 0].min()), float(grp[:, 1].max()), names,
                          float(grp[:, 2].max())))
            i = j + 1
        else:
            i += 1
    trans = transitions(hyp)
    events: list[Event] = []
    other = 0
    for on, end, names, pk in jerks:
        near = trans[np.abs(trans - on) <= p.transition_window_s] if trans.size else trans
        if near.size == 0:
            other += 1
            continue
        tr = float(near[np.argmin(np.abs(near - on))])
        events.append(Event("sleep_start", on, end - on, "+".join(names), stage_label(hyp, on), {
            "channels": len(names), "peak_x_background": round(pk, 1),
            "from_transition_s": round(on - tr, 1)}))
    n_tr = int(trans.size)
    summary = {
        "sleep_start_count": len(events),
        "transitions": n_tr,
        "sleep_starts_per_transition": round(len(events) / n_tr, 2) if n_tr else None,
        "transitions_with_sleep_start": len({round(e.onset_s - e.figures["from_transition_s"])
                                             for e in events}),
        "other_generalised_bursts": other,
        "channels": [c.name for c in chans],
        "notes": notes,
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))
