"""Every detector keeps the module contract and skips with a reason instead of failing."""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest
from evtools import flat, night

from nachtwacht.psg import events
from nachtwacht.psg.events import REGISTRY, by_name, run_all
from nachtwacht.psg.simulate import DEFAULT_CHANNELS
from nachtwacht.psg.types import DetectorResult, Recording

ORDER = ["desaturation", "respiratory", "arousal", "leg_movements", "rswa", "bruxism",
         "sleep_starts"]


def test_registry_order_puts_dependencies_first():
    assert [m.NAME for m in REGISTRY] == ORDER


@pytest.mark.parametrize("mod", REGISTRY, ids=lambda m: m.NAME)
def test_module_contract_and_documented_params(mod):
    assert isinstance(mod.NAME, str) and mod.REQUIRES
    assert dataclasses.is_dataclass(mod.Params)
    p = mod.Params()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.__setattr__(dataclasses.fields(p)[0].name, 1)
    src = inspect.getsource(mod.Params)
    for f in dataclasses.fields(mod.Params):
        # Each number carries a comment on the line(s) above naming its rule or saying
        # it is an implementation choice / unverified.
        before = src.split(f"    {f.name}:")[0].rstrip().splitlines()[-1].strip()
        assert before.startswith("#:") or before.startswith("#"), f"{mod.NAME}.{f.name} undocumented"
    sig = inspect.signature(mod.detect)
    assert list(sig.parameters)[:4] == ["rec", "hyp", "params", "context"]


@pytest.mark.parametrize("mod", REGISTRY, ids=lambda m: m.NAME)
def test_skips_with_reason_when_channels_missing(mod):
    _, truth = night(0, 0.0, 1.0, ("SpO2",), ())
    res = mod.detect(Recording(channels={}), truth.hypnogram)
    assert isinstance(res, DetectorResult)
    assert res.skipped and res.summary["skip_code"] == "missing_channel"
    assert "channel" in res.summary["skip_reason"]


@pytest.mark.parametrize("mod", REGISTRY, ids=lambda m: m.NAME)
def test_skips_when_its_channels_are_flat(mod):
    rec, truth = night(0, 0.0, 1.0, DEFAULT_CHANNELS + ("Masseter", "Arm"), ())
    for name, ch in list(rec.channels.items()):
        rec.channels[name] = flat(name, ch.role, ch.sf, ch.duration_s, 95.0 if ch.role == "spo2" else 0.0)
    res = mod.detect(rec, truth.hypnogram)
    assert res.skipped, mod.NAME
    assert res.summary["skip_code"] == "flat_channel", res.skipped


def test_run_all_survives_a_broken_detector(monkeypatch):
    rec, truth = night(0, 0.0, 1.0, ("SpO2", "Leg L", "Leg R"), (("plm", 4.0),))

    def boom(*a, **k):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(by_name("desaturation"), "detect", boom)
    res = run_all(rec, truth.hypnogram)
    assert list(res) == ORDER
    assert res["desaturation"].summary["skip_code"] == "error"
    assert "broken on purpose" in res["desaturation"].skipped
    assert res["leg_movements"].skipped is None
    assert res["leg_movements"].summary["plms_index"] > 0
    # Skipped detectors say why; the JSON form is plain.
    assert res["arousal"].summary["skip_code"] == "missing_channel"
    assert isinstance(res["leg_movements"].to_json()["summary"]["plms_index"], float)


def test_run_all_accepts_param_overrides_and_rejects_unknown_names():
    rec, truth = night(0, 0.0, 1.0, ("SpO2", "Leg L", "Leg R"), (("plm", 4.0),))
    res = run_all(rec, truth.hypnogram, {"leg_movements": {"min_interval_s": 10.0}},
                  only=("leg_movements",))
    assert res["leg_movements"].params["min_interval_s"] == 10.0
    with pytest.raises(KeyError, match="unknown detector"):
        run_all(rec, truth.hypnogram, {"plm": {}})
    with pytest.raises(KeyError, match="no detector named"):
        by_name("nope")


def test_skip_codes_are_listed():
    assert "low_sampling_rate" in events.SKIP_CODES
    assert np.all([c for c in events.SKIP_CODES])
