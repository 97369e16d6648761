"""Garmin FIT sleep: a FIT file built to the published format (FIT SDK protocol 2.0)."""

import datetime as dt
import struct

import pytest

from nachtwacht.device import DeviceFormatError, read_device
from nachtwacht.device.nights import device_nights

_CRC = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)


def _crc(data: bytes) -> int:
    c = 0
    for b in data:
        for nib in (b & 0xF, b >> 4):
            tmp = _CRC[c & 0xF]
            c = (c >> 4) & 0x0FFF
            c = c ^ tmp ^ _CRC[nib]
    return c


def fit_file(levels: list[tuple[dt.datetime, int]]) -> bytes:
    """file_id (message 0) and one sleep_level (message 275) per stage change."""
    body = b""
    # definition, local 0 -> global 0 file_id: field 0 type (enum, 1 byte)
    body += bytes([0x40, 0, 0]) + struct.pack("<HB", 0, 1) + bytes([0, 1, 0x00])
    body += bytes([0x00, 4])
    # definition, local 1 -> global 275: field 253 timestamp (uint32), field 0 level (enum)
    body += bytes([0x41, 0, 0]) + struct.pack("<HB", 275, 2) + bytes([253, 4, 0x86, 0, 1, 0x00])
    for t, lvl in levels:
        body += bytes([0x01]) + struct.pack("<IB", int((t - FIT_EPOCH).total_seconds()), lvl)
    head = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    head += struct.pack("<H", _crc(head))
    data = head + body
    return data + struct.pack("<H", _crc(data))


def test_garmin_fit_sleep_levels(tmp_path):
    t0 = dt.datetime(2026, 3, 1, 22, 0, tzinfo=dt.UTC)  # 23:00 in Amsterdam
    mins = [(0, 1), (15, 2), (120, 3), (200, 1), (220, 4), (300, 2), (470, 1), (480, 0)]
    p = tmp_path / "sleep.fit"
    p.write_bytes(fit_file([(t0 + dt.timedelta(minutes=m), lvl) for m, lvl in mins]))
    (n,) = device_nights(read_device(p))
    assert n.method == "garmin" and n.date == dt.date(2026, 3, 2)
    assert n.onset == dt.datetime(2026, 3, 1, 23, 15) and n.offset == dt.datetime(2026, 3, 2, 6, 50)
    assert n.tst_min == 455 - 20 and n.waso_min == 20
    assert n.stages_min == {"light": 105 + 170, "deep": 80, "rem": 80}


def test_fit_without_sleep_is_refused(tmp_path):
    p = tmp_path / "ride.fit"
    p.write_bytes(fit_file([]))
    with pytest.raises(DeviceFormatError) as e:
        read_device(p)
    assert "Garmin" in e.value.nl
