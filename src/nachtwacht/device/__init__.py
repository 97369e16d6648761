"""Device data beside the diary: actigraphs and consumer wearables (issue #17).

Pure core (no Django): :mod:`.read` detects and reads a file, :mod:`.scoring` turns
activity counts into sleep/wake (Cole-Kripke, Sadeh), :mod:`.nights` summarises each
night and sets it beside the diary, :mod:`.rhythm` computes the body-clock figures.
"""

from .errors import DeviceFormatError
from .read import read_device
from .types import DeviceNight, Epochs, SleepRecord

__all__ = ["DeviceFormatError", "DeviceNight", "Epochs", "SleepRecord", "read_device"]
