"""Names of the sleep-scoring methods in both languages, defined once.

The CLI, the GP report and the web page all name the method a device night was scored
with; they read it from here so the three never drift apart.
"""

from __future__ import annotations

METHOD_NAMES: dict[str, dict[str, str]] = {
    "nl": {"cole_kripke": "Cole-Kripke (beweging)", "sadeh": "Sadeh (beweging)",
           "oakley": "Actiware/Oakley (beweging)",
           "van_hees": "Van Hees (stand van de pols, versnellingsmeter)", "apple": "Apple Watch",
           "fitbit": "Fitbit", "oura": "Oura", "withings": "Withings",
           "garmin": "Garmin", "sleep_as_android": "Sleep as Android"},
    "en": {"cole_kripke": "Cole-Kripke (movement)", "sadeh": "Sadeh (movement)",
           "oakley": "Actiware/Oakley (movement)",
           "van_hees": "Van Hees (wrist angle, accelerometer)", "apple": "Apple Watch",
           "fitbit": "Fitbit", "oura": "Oura", "withings": "Withings",
           "garmin": "Garmin", "sleep_as_android": "Sleep as Android"},
}


def method_name(code: str, lang: str) -> str:
    """The method's name in ``lang``; an unknown code is shown readably, not as a code."""
    return METHOD_NAMES.get(lang, METHOD_NAMES["en"]).get(code, code.replace("_", " ").title())
