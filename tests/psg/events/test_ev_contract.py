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

ORDER = ["desaturation", "arousal", "respiratory", "leg_movements", "rswa", "bruxism",
         "sleep_starts"]


def test_registry_order_puts_dependencies_first():
    assert [m.NAME for m in REGISTRY] == ORDER
    seen: set[str] = set()
    for mod in REGISTRY:
        assert set(mod.NEEDS) <= seen, mod.NAME
        seen.add(mod.NAME)
    # AASM rule 1A needs arousals before hypopneas; LM exclusion needs respiratory events.
    assert "arousal" in by_name("respiratory").NEEDS
    assert "respiratory" in by_name("leg_movements").NEEDS


def _fake(name: str, needs: tuple[str, ...], reads: tuple[str, ...] = ()):
    import types

    from nachtwacht.psg.events._common import params_dict

    mod = types.ModuleType(name)
    mod.NAME, mod.NEEDS, mod.REQUIRES = name, needs, ()

    @dataclasses.dataclass(frozen=True)
    class Params:
        #: nothing
        x: int = 0

    def detect(rec, hyp, params=None, context=None):
        got = {k: context.get(k) for k in reads}
        return DetectorResult(name=name, summary={"read": sorted(k for k, v in got.items()
                                                                 if v is not None)},
                              params=params_dict(params))

    mod.Params, mod.detect = Params, detect
    return mod


def test_order_is_resolved_from_needs_and_cycles_are_refused():
    a, b, c = _fake("a", ("b",), ("b",)), _fake("b", ("c",), ("c",)), _fake("c", ())
    assert [m.NAME for m in events.resolve_order([a, b, c])] == ["c", "b", "a"]
    with pytest.raises(ValueError, match="cycle"):
        events.resolve_order([_fake("a", ("b",)), _fake("b", ("a",))])
    with pytest.raises(ValueError, match="unknown"):
        events.resolve_order([_fake("a", ("zz",))])
    _, truth = night(0, 0.0, 1.0, ("SpO2",), ())
    res = run_all(Recording(channels={}), truth.hypnogram, registry=[a, b, c])
    assert res["a"].summary["read"] == ["b"] and res["b"].summary["read"] == ["c"]


def test_reading_an_undeclared_result_fails():
    # "a" reads "b" without declaring it: whatever the order, that is an error.
    a, b = _fake("a", (), ("b",)), _fake("b", ())
    _, truth = night(0, 0.0, 1.0, ("SpO2",), ())
    with pytest.raises(events.UndeclaredResultError, match="without declaring"):
        run_all(Recording(channels={}), truth.hypnogram, registry=[b, a])


def test_every_real_detector_reads_only_what_it_declares():
    # The full montage: each detector reads its context through the guard; an undeclared
    # read would raise UndeclaredResultError out of run_all.
    rec, truth = night(0, 0.0, 1.0, DEFAULT_CHANNELS, (("hypopnea", 10.0), ("arousal", 8.0)))
    res = run_all(rec, truth.hypnogram)
    assert list(res) == ORDER
    assert "no arousals available" not in " ".join(res["respiratory"].summary["notes"])


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
