"""Sleep bruxism as rhythmic masticatory muscle activity (RMMA), Lavigne et al. 1996.

On masseter EMG (or chin EMG when there is no masseter channel) a *burst* is
activity at ≥ 2× the background; bursts of 0.25-2 s are *phasic*, longer than 2 s
*tonic*. An *episode* is ≥ 3 phasic bursts in a row (phasic episode), one tonic
burst (tonic episode) or both (mixed), and episodes are separated by ≥ 3 s of
quiet background (unverified). Episodes are counted in sleep only.

Research cut-offs for sleep bruxism (Lavigne 1996; systematic review BMC 2014):
> 4 episodes per hour, > 6 bursts per episode and/or > 25 bursts per hour of sleep.
These are research criteria on a lab night, not a diagnosis; chin EMG is less
specific than masseter EMG. The heartbeat is subtracted from the EMG first
(:mod:`._ecg`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nachtwacht.psg.events import _ecg, _emg
from nachtwacht.psg.events._common import (
    SkipDetector,
    check_usable,
    params_dict,
    per_hour,
    pick,
    runs,
    skipped,
    sleep_mask_at,
    stage_label,
    stages_at,
    tst_hours,
)
from nachtwacht.psg.types import N1, N2, DetectorResult, Event, Hypnogram, Recording

NAME = "bruxism"
REQUIRES = (("emg_masseter", "emg_chin"),)
#: Results of other detectors this one reads (none).
NEEDS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Params:
    """RMMA (bruxism) parameters."""

    #: Burst amplitude, × background (Lavigne 1996: ≥ 2× background EMG).
    burst_factor: float = 2.0
    #: Shortest phasic burst, s (Lavigne 1996: 0.25 s).
    phasic_min_s: float = 0.25
    #: Longest phasic burst, s; longer ones are tonic (Lavigne 1996: 2 s).
    phasic_max_s: float = 2.0
    #: Longest tonic burst kept, s; longer activity is movement or wake (unverified).
    tonic_max_s: float = 20.0
    #: Phasic bursts needed for a phasic episode (Lavigne 1996: ≥ 3).
    min_phasic_bursts: int = 3
    #: Quiet time that separates episodes, s (Lavigne 1996: 3 s; unverified).
    episode_gap_s: float = 3.0
    #: Bursts closer than this are one burst, s (implementation choice).
    merge_gap_s: float = 0.1
    #: Background = running median of the envelope over this window, s (implementation
    #: choice, unverified).
    background_s: float = 60.0
    #: Floor the background at the median N1/N2 tone (implementation choice: keeps REM
    #: atonia and its recovery from passing as bursts).
    nrem_floor: bool = True
    #: On chin EMG, keep REM episodes out of the index (implementation choice: phasic REM
    #: twitches cannot be told from RMMA without a masseter channel).
    chin_rem_apart: bool = True
    #: Envelope RMS window, s (implementation choice).
    envelope_s: float = 0.1
    #: Subtract the heartbeat from the EMG before scoring (scorers ignore ECG artefact;
    #: R peaks from the ECG channel, else from the EMG itself - see ``_ecg``).
    remove_ecg: bool = True
    #: Research cut-off: episodes per hour of sleep (Lavigne 1996: > 4).
    cutoff_episodes_per_h: float = 4.0
    #: Research cut-off: bursts per episode (Lavigne 1996: > 6).
    cutoff_bursts_per_episode: float = 6.0
    #: Research cut-off: bursts per hour of sleep (Lavigne 1996: > 25).
    cutoff_bursts_per_h: float = 25.0


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Score RMMA episodes; summarise episodes and bursts per hour and the research cut-offs."""
    p = params or Params()
    notes: list[str] = []
    try:
        ch = None
        errs = []
        for role in ("emg_masseter", "emg_chin"):
            c = pick(rec, (role,))
            if c is None:
                continue
            try:
                check_usable(c, min_sf=_emg.MIN_EMG_SF, what=role.replace("emg_", "") + " EMG")
                ch = c
                break
            except SkipDetector as exc:
                errs.append(exc)
        if ch is None:
            if errs:
                raise errs[0]
            raise SkipDetector("missing_channel", "no masseter or chin EMG channel in the recording")
        if ch.role == "emg_chin":
            notes.append("scored on chin EMG (no masseter): less specific for bruxism")
        if tst_hours(hyp) <= 0:
            raise SkipDetector("no_sleep", "the hypnogram scores no sleep")
    except SkipDetector as exc:
        return skipped(NAME, exc.code, exc.reason, p)

    env = _emg.envelope(ch, win_s=p.envelope_s, out_sf=50.0,
                        ecg=_ecg.peaks_for(rec) if p.remove_ecg else None)
    v, fs = env.values.astype(np.float64), env.sf
    bg = _emg.running_median(v, fs, p.background_s)
    # REM atonia would make any tone recovery look like clenching: the background never
    # drops below the typical NREM (N1/N2) tone of the night.
    st = stages_at(hyp, np.arange(v.size) / fs)
    light = np.isin(st, (N1, N2))
    if p.nrem_floor and light.any():
        bg = np.maximum(bg, float(np.median(v[light])))
    s, e = runs(v >= p.burst_factor * bg)
    if len(s):
        keep = np.concatenate(([True], (s[1:] - e[:-1]) > int(p.merge_gap_s * fs)))
        s, e = s[keep], np.concatenate((e[:-1][keep[1:]], [e[-1]]))
    d = (e - s) / fs
    phasic = (d >= p.phasic_min_s) & (d <= p.phasic_max_s)
    tonic = (d > p.phasic_max_s) & (d <= p.tonic_max_s)
    keep = phasic | tonic
    s, e, phasic, tonic = s[keep], e[keep], phasic[keep], tonic[keep]
    events: list[Event] = []
    if len(s):
        # Group bursts into episodes separated by >= episode_gap_s of quiet.
        gaps = (s[1:] - e[:-1]) / fs
        brk = np.concatenate(([True], gaps >= p.episode_gap_s))
        gid = np.cumsum(brk) - 1
        for g in range(int(gid[-1]) + 1):
            m = gid == g
            n_ph, n_to = int(phasic[m].sum()), int(tonic[m].sum())
            if n_ph >= p.min_phasic_bursts and n_to:
                typ = "mixed"
            elif n_ph >= p.min_phasic_bursts:
                typ = "phasic"
            elif n_to:
                typ = "tonic"
            else:
                continue
            a, b = int(s[m][0]), int(e[m][-1])
            peak = float((v[a:b] / bg[a:b]).max())
            events.append(Event("rmma", a / fs, (b - a) / fs, ch.name, stage_label(hyp, a / fs), {
                "type": typ, "n_bursts": n_ph + n_to, "phasic_bursts": n_ph,
                "tonic_bursts": n_to, "peak_x_background": round(peak, 1)}))
    if ch.role == "emg_chin" and p.chin_rem_apart:
        # On chin EMG, REM twitches (RSWA) look like RMMA bursts: REM episodes are kept
        # apart as "rmma_rem" and left out of the index.
        for ev in events:
            if ev.stage == "R":
                ev.kind = "rmma_rem"
    in_sleep = [ev for ev in events if ev.kind == "rmma"
                and sleep_mask_at(hyp, np.array([ev.onset_s]))[0]]
    hours = tst_hours(hyp)
    n_bursts = sum(ev.figures["n_bursts"] for ev in in_sleep)
    ep_h = per_hour(len(in_sleep), hours)
    b_h = per_hour(n_bursts, hours)
    bpe = round(n_bursts / len(in_sleep), 1) if in_sleep else 0.0
    summary = {
        "rmma_episodes": len(in_sleep),
        "rmma_index": ep_h,
        "rmma_bursts": n_bursts,
        "bursts_per_hour": b_h,
        "bursts_per_episode": bpe,
        "by_type": {t: sum(ev.figures["type"] == t for ev in in_sleep)
                    for t in ("phasic", "tonic", "mixed")},
        "research_cutoffs_met": {
            "episodes_per_h_gt_4": bool((ep_h or 0) > p.cutoff_episodes_per_h),
            "bursts_per_episode_gt_6": bool(bpe > p.cutoff_bursts_per_episode),
            "bursts_per_h_gt_25": bool((b_h or 0) > p.cutoff_bursts_per_h),
        },
        "rmma_rem_apart": sum(ev.kind == "rmma_rem" for ev in events),
        "channel": ch.name,
        "tst_h": round(hours, 3),
        "notes": notes,
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))
