"""Raw wrist accelerometry (issue #17): Axivity .cwa, GENEActiv .bin, ActiGraph .gt3x.

The files are built to the published formats by ``make_raw.py`` (no real recordings of
these formats ship with the libraries, and the tests cannot download any): two days at
25 Hz with nights 23:00-07:00 and 23:30-06:45. scikit-digital-health and pygt3x decode
the same files to the same samples as our readers, so writer and reader do not share
one misreading of the format.
"""

import datetime as dt
import re
import shutil
import struct
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from make_raw import NIGHTS_H, START, wrist_motion, write_bin, write_cwa, write_gt3x

from nachtwacht.device import DeviceFormatError, read_device
from nachtwacht.device.nights import device_nights
from nachtwacht.device.raw import open_raw
from nachtwacht.device.rawsleep import sustained_inactivity

FS = 25  # Axivity and GENEActiv rate; ActiGraph records at 30-100 Hz in steps of 10
GT3X_FS = 30
WRITERS = {"cwa": write_cwa, "bin": write_bin, "gt3x": write_gt3x}
FMT = {"cwa": "cwa", "bin": "geneactiv", "gt3x": "gt3x"}


@pytest.fixture(scope="module")
def motion():
    return wrist_motion(FS)


@pytest.fixture(scope="module")
def files(motion, tmp_path_factory):
    d = tmp_path_factory.mktemp("raw")
    out = {}
    for ext, w in WRITERS.items():
        out[ext] = d / f"wrist.{ext}"
        if ext == "gt3x":
            w(out[ext], wrist_motion(GT3X_FS), GT3X_FS, START)
        else:
            w(out[ext], motion, FS, START)
    return out


def _samples(path, n):
    src = open_raw(path)
    ts, acc = [], []
    for t, a in src.chunks:
        ts.append(t)
        acc.append(a)
        if sum(len(x) for x in ts) >= n:
            break
    return src, np.concatenate(ts)[:n], np.concatenate(acc)[:n]


@pytest.mark.parametrize("ext", sorted(WRITERS))
def test_nights_match_the_built_rest(files, ext):
    rec = read_device(files[ext])
    assert rec.fmt == FMT[ext] and rec.epoch_s == 60 and rec.sleep is not None
    nights = device_nights(rec)
    assert [n.method for n in nights] == ["van_hees", "van_hees"]
    for n, (a, b) in zip(nights, NIGHTS_H, strict=True):
        assert abs((n.onset - (START + dt.timedelta(hours=a))).total_seconds()) <= 15 * 60
        assert abs((n.offset - (START + dt.timedelta(hours=b))).total_seconds()) <= 15 * 60
        assert n.tst_min == pytest.approx((b - a) * 60, abs=15)
    # Awake, the wrist moves: ENMO well above the still night.
    day = rec.counts[60:600]
    night = rec.counts[int(NIGHTS_H[0][0] * 60) + 30:int(NIGHTS_H[0][1] * 60) - 30]
    assert np.nanmedian(day) > 20 * np.nanmedian(night)


@pytest.mark.parametrize("ext", sorted(WRITERS))
def test_samples_equal_the_reference_libraries(motion, tmp_path, ext):
    """skdh (cwa, bin) and pygt3x (gt3x) read our files as we do, and as written."""
    fs = GT3X_FS if ext == "gt3x" else FS
    part = (wrist_motion(fs, days=1 / 24) if ext == "gt3x" else motion[: 3600 * FS])
    p = tmp_path / f"hour.{ext}"
    WRITERS[ext](p, part, fs, START)
    src, t, acc = _samples(p, len(part))
    assert src.fs == fs and len(t) == len(part)
    assert t[0] == pytest.approx((START - dt.datetime(1970, 1, 1)).total_seconds())
    assert np.allclose(np.diff(t), 1 / fs)
    # Quantisation: 1/256 g (Axivity, ActiGraph), 100/25548 g (GENEActiv).
    assert np.abs(acc - part).max() < 0.004
    if ext == "gt3x":
        reader = pytest.importorskip("pygt3x.reader")
        with reader.FileReader(str(p)) as r:
            ref = r.to_pandas()[["X", "Y", "Z"]].to_numpy()
    else:
        skdh = pytest.importorskip("skdh")
        cls = skdh.io.ReadCwa if ext == "cwa" else skdh.io.ReadBin
        with pytest.warns(UserWarning):  # skdh warns that the times are naive
            ref = cls().predict(file=str(p))["accel"]
    assert np.allclose(acc, ref, atol=1e-6)


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name,fs", [("tiny_synthetic.cwa", 25), ("tiny_synthetic.bin", 25),
                                     ("tiny_synthetic.gt3x", 30)])
def test_checked_in_tiny_files(name, fs):
    """Ten minutes of each format, written once by make_raw.py (seed 7) and checked in: the
    readers keep reading the same bytes the same way even if the writers change."""
    ref = wrist_motion(fs, days=10 / 1440, seed=7, nights_h=())
    src, t, acc = _samples(DATA / name, len(ref))
    assert len(acc) == len(ref) and np.abs(acc - ref).max() < 0.004
    rec = read_device(DATA / name)
    assert rec.start == START and len(rec.counts) == 10 and rec.sleep is not None


def test_unpacked_cwa_and_old_gt3x_packing(motion, tmp_path):
    part = motion[: 600 * FS]
    write_cwa(tmp_path / "u.cwa", part, FS, START, packed=False)
    old = wrist_motion(GT3X_FS, days=1 / 144)
    write_gt3x(tmp_path / "o.gt3x", old, GT3X_FS, START, old_packing=True)
    for p, ref in ((tmp_path / "u.cwa", part), (tmp_path / "o.gt3x", old)):
        _, _, acc = _samples(p, len(ref))
        # Whole blocks only: 80 unpacked samples per .cwa block.
        assert len(ref) - 80 < len(acc) <= len(ref) and np.abs(acc - ref[: len(acc)]).max() < 0.004
    pygt3x = pytest.importorskip("pygt3x.reader")
    with pygt3x.FileReader(str(tmp_path / "o.gt3x")) as r:
        ref = r.to_pandas()[["X", "Y", "Z"]].to_numpy()
    assert np.allclose(_samples(tmp_path / "o.gt3x", len(ref))[2], ref, atol=1e-6)


def test_gt3x_idle_sleep_mode_counts_as_still(tmp_path):
    """ActiGraph's idle sleep mode stops sampling while the device lies still; those
    hours are the last position held (as ActiLife and pygt3x fill them), not missing."""
    nights = ((11.0, 19.0),)
    acc = wrist_motion(GT3X_FS, days=1.0, nights_h=nights)
    # The device idles for 20 minutes from 01:00 (13 h after noon); hours without any
    # movement would be non-wear, as they would be for a sampling device.
    a, b = 13 * 3600, 13 * 3600 + 1200
    still = acc.copy()
    still[a * GT3X_FS:b * GT3X_FS] = acc[a * GT3X_FS - 1]
    p = tmp_path / "idle.gt3x"
    write_gt3x(p, still, GT3X_FS, START, idle=(a, b))
    rec = read_device(p)
    assert not np.isnan(rec.counts[a // 60:b // 60]).any()
    assert (rec.sleep[a // 60:b // 60] == 1).all()
    night = device_nights(rec)
    assert len(night) == 1 and night[0].onset.hour == 23 and night[0].offset.hour == 7
    # pygt3x (ActiGraph's reader) fills idle time with samples too: same length.
    pygt3x = pytest.importorskip("pygt3x.reader")
    short = tmp_path / "idle_short.gt3x"
    write_gt3x(short, still[: 1800 * GT3X_FS], GT3X_FS, START, idle=(600, 1200))
    with pygt3x.FileReader(str(short)) as r:
        assert len(r.to_pandas()) == 1800 * GT3X_FS


def test_sustained_inactivity_rule():
    a = np.zeros(300)
    a[100] = 10.0  # a posture change at epoch 100 (and back at 101)
    s = sustained_inactivity(a)
    # The stretches around it last over 60 epochs (5 min): still, i.e. sleep.
    assert s[:100].all() and s[101:].all() and s[100] == 0
    a[[50, 150, 200, 250]] = 10.0  # now no stretch reaches 5 minutes
    assert not sustained_inactivity(a).any()
    b = np.zeros(100)
    b[::30] = [0, 20, 0, 20]  # changes every 2.5 min: never 5 still minutes
    assert not sustained_inactivity(b).any()


def _err(path):
    with pytest.raises(DeviceFormatError) as e:
        read_device(path)
    assert e.value.nl and e.value.en and e.value.nl != e.value.en
    # The reason is given in English too, not in Dutch words.
    assert not re.search(r"\b(geen|van|gegevens|kop|bestand|tijden)\b", e.value.en)
    return e.value


def test_truncated_and_damaged_files_give_a_clear_message(files, tmp_path):
    # Cut inside the header: no data at all.
    for ext, keep in (("cwa", 700), ("bin", 1500), ("gt3x", 5000)):
        p = tmp_path / f"cut.{ext}"
        p.write_bytes(files[ext].read_bytes()[:keep])
        err = _err(p)
        assert p.name in err.nl
    # A recording cut in the middle reads up to the cut (the data before it are fine).
    p = tmp_path / "half.cwa"
    p.write_bytes(files["cwa"].read_bytes()[: files["cwa"].stat().st_size // 2 + 100])
    assert len(read_device(p).counts) < 2880
    # Damaged blocks: a few are skipped, mostly damaged is refused.
    raw = bytearray(files["cwa"].read_bytes())
    for k in range(0, (len(raw) - 1024) // 512, 2):
        raw[1024 + 512 * k + 40] ^= 0xFF
    p = tmp_path / "bad.cwa"
    p.write_bytes(bytes(raw))
    assert len(read_device(p).counts) > 2000
    for k in range(1, (len(raw) - 1024) // 512, 4):
        raw[1024 + 512 * k + 40] ^= 0xFF  # now 3 of 4 blocks are damaged
    p.write_bytes(bytes(raw))
    err = _err(p)
    assert "beschadigd" in err.nl and "damaged" in err.en
    # GENEActiv page with non-hex data.
    text = files["bin"].read_bytes()
    i = text.index(b"Recorded Data", 5000)
    j = text.index(b"Measurement Frequency:25.0\r\n", i) + 28
    p = tmp_path / "bad.bin"
    p.write_bytes(text[:j] + b"ZZ" + text[j + 2:j + 200_000])
    assert "hexadecimale" in _err(p).nl


def test_gt3x_damage(files, tmp_path):
    with zipfile.ZipFile(files["gt3x"]) as z:
        info, log = z.read("info.txt"), z.read("log.bin")

    def gt3x(name, info_txt, log_bin):
        p = tmp_path / name
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("info.txt", info_txt)
            z.writestr("log.bin", log_bin)
        return p

    assert "info.txt" in _err(gt3x("a.gt3x", info.replace(b"Sample Rate: 30", b"Sample Rate: 1000000000"),
                                   log)).nl
    # log.bin: a parameters record (17 bytes), then one 189-byte record per second.
    bad = bytearray(log[:200_000])
    bad[17 + 189] = 0x00  # the third record's separator is gone: the chain is broken
    assert "log.bin" in _err(gt3x("b.gt3x", info, bytes(bad))).nl
    # A record claiming a time 100 years on: refused, no giant array.
    far = bytearray(log[:20_000])
    struct.pack_into("<I", far, 17 + 2, 0xFFFFFF00)
    x = 0
    for b in far[17:17 + 188]:
        x ^= b
    far[17 + 188] = ~x & 0xFF  # the checksum fits the new time
    assert "tijden" in _err(gt3x("c.gt3x", info, bytes(far))).nl


def test_inflated_gt3x_and_endless_lines_are_refused(files, tmp_path, monkeypatch):
    import nachtwacht.device.raw as raw

    # The same second a million times would inflate from a small zip: bounded by the days.
    monkeypatch.setattr(raw, "MAX_DAYS", 1)
    with zipfile.ZipFile(files["gt3x"]) as z:
        info, log = z.read("info.txt"), z.read("log.bin")
    p = tmp_path / "bomb.gt3x"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("info.txt", info)
        z.writestr("log.bin", log[:17] + log[17:17 + 189] * 100_000)
    err = _err(p)
    assert "meer metingen dan 1 dagen" in err.nl and "more samples than 1 days" in err.en
    monkeypatch.undo()
    q = tmp_path / "oneline.bin"
    head = files["bin"].read_bytes()[:5000]
    q.write_bytes(head[: head.index(b"Recorded Data") + 15] + b"A" * 3_000_000)
    assert "pagina" in _err(q).nl


def test_header_claiming_a_billion_samples_does_not_allocate(motion, tmp_path):
    p = tmp_path / "claim.bin"
    write_bin(p, motion[: 3 * 3600 * FS], FS, START, pages_claimed=10**9)
    tracemalloc.start()
    rec = read_device(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(rec.counts) == 180 and peak < 100 * 1024 * 1024
    # A .cwa whose blocks claim sequence numbers near 2^32 is read by time, not by number.
    c = tmp_path / "seq.cwa"
    write_cwa(c, motion[: 3600 * FS], FS, START)
    raw = bytearray(c.read_bytes())
    for k in range((len(raw) - 1024) // 512):
        at = 1024 + 512 * k
        struct.pack_into("<I", raw, at + 10, 0xFFFFFF00 + k % 200)
        struct.pack_into("<H", raw, at + 510, 0)
        words = sum(struct.unpack_from("<255H", raw, at)) & 0xFFFF
        struct.pack_into("<H", raw, at + 510, (-words) & 0xFFFF)
    c.write_bytes(bytes(raw))
    assert len(read_device(c).counts) == 60


def test_unknown_format_still_clear(tmp_path, files):
    p = tmp_path / "noise.cwa"
    p.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    err = _err(p)
    assert "herkennen we niet" in err.nl and ".cwa" in err.nl and ".gt3x" in err.en
    q = tmp_path / "renamed.dat"
    shutil.copy(files["cwa"], q)
    assert read_device(q).fmt == "cwa"  # found by content, not by name


def test_cli_reads_raw_files(files, tmp_path):
    import json

    from click.testing import CliRunner

    from nachtwacht.cli import main

    r = CliRunner().invoke(main, ["device", "import", str(files["cwa"]), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [n["method"] for n in out["nights"]] == ["van_hees", "van_hees"]
    assert out["nights"][0]["onset"] == "2026-03-02T23:00"
    r = CliRunner().invoke(main, ["device", "import", str(files["gt3x"]), "--lang", "en"])
    assert r.exit_code == 0 and "Van Hees (wrist angle, accelerometer)" in r.output
    r = CliRunner().invoke(main, ["device", "import", str(files["bin"])])
    assert "Van Hees (stand van de pols" in r.output
    p = tmp_path / "cut.cwa"
    p.write_bytes(files["cwa"].read_bytes()[:1500])
    r = CliRunner().invoke(main, ["device", "import", str(p)])
    assert r.exit_code == 1 and "niet goed te lezen" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("name", ["tiny_synthetic.cwa", "tiny_synthetic.bin", "tiny_synthetic.gt3x"])
def test_damaged_tiny_files_never_crash(name, tmp_path):
    """Random damage (bytes changed, cut off, overwritten): either read or a clear message."""
    rng = np.random.default_rng(5)
    base = (DATA / name).read_bytes()
    outcomes = set()
    for i in range(80):
        b = bytearray(base)
        if i % 3 == 0:
            for at in rng.integers(0, len(b), rng.integers(1, 40)):
                b[at] = rng.integers(0, 256)
        elif i % 3 == 1:
            b = b[: rng.integers(0, len(b))]
        else:
            at = int(rng.integers(0, len(b)))
            b[at:at + 1500] = rng.integers(0, 256, len(b[at:at + 1500]), dtype=np.uint8).tobytes()
        p = tmp_path / f"x{Path(name).suffix}"
        p.write_bytes(bytes(b))
        try:
            device_nights(read_device(p))
            outcomes.add("read")
        except DeviceFormatError as exc:
            assert exc.nl and exc.en
            outcomes.add("message")
    assert "message" in outcomes
