"""Caffeine counted in cups and glasses, stored as milligrams (the diary's unit).

Nobody knows how many milligrams of caffeine they had, but everyone knows how many
cups. The amounts per serving are typical values, rounded to 5 mg; real drinks vary
by a factor of two, which is why the diary only uses them to compare nights:

=============  =========  ======  ==================================================
drink          serving    mg      basis
=============  =========  ======  ==================================================
coffee         125 ml     80      Dutch cup of filter/machine coffee; EFSA (2015)
                                  gives ~90 mg per 200 ml, i.e. ~55-90 mg per 125 ml
espresso       1 shot     65      USDA FoodData: 63 mg per 30 ml shot
tea            150 ml     30      black tea, 2-3 min steeped (EFSA: 50 mg per 220 ml)
cola           330 ml     35      regular cola, ~10 mg per 100 ml (label)
energy drink   250 ml     80      EU labels: 32 mg per 100 ml, 80 mg per can
=============  =========  ======  ==================================================

EFSA: Scientific Opinion on the safety of caffeine, EFSA Journal 2015;13(5):4102.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drink:
    """One common drink and its caffeine per serving."""

    code: str
    mg: int
    nl: str
    en: str

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.nl


DRINKS: tuple[Drink, ...] = (
    Drink("coffee", 80, "kop koffie", "cup of coffee"),
    Drink("espresso", 65, "espresso", "espresso"),
    Drink("tea", 30, "kop thee", "cup of tea"),
    Drink("cola", 35, "blikje of glas cola", "can or glass of cola"),
    Drink("energy", 80, "blikje energiedrank", "can of energy drink"),
)
#: Most servings of one drink a form offers; more than this goes in the full form.
MAX_SERVINGS = 10


def caffeine_mg(counts: dict[str, int]) -> float:
    """Milligrams of caffeine for ``counts`` (drink code -> servings).

    Unknown codes and negative counts raise ``ValueError``: a tampered form must
    not store a silent zero.
    """
    by_code = {d.code: d for d in DRINKS}
    total = 0
    for code, n in counts.items():
        if code not in by_code or n < 0 or n > MAX_SERVINGS:
            raise ValueError(f"bad drink count {code}={n}")
        total += by_code[code].mg * n
    return float(total)
