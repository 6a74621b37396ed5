"""Structured hazard feeds (GDACS and feeds shaped like it): their fields say what an item is.

GDACS items carry gdacs:eventtype (EQ earthquake, TC tropical cyclone, FL flood, VO volcano, DR drought,
WF wildfire, TS tsunami), gdacs:alertlevel (Green, Orange, Red), gdacs:country and gdacs:iso3. Red and Orange
alerts are sent as disaster_risk; Green ones go to review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pycountry

EVENT_TYPES = {
    "EQ": "earthquake",
    "TC": "tropical cyclone",
    "FL": "flood",
    "VO": "volcano",
    "DR": "drought",
    "WF": "wildfire",
    "TS": "tsunami",
}
SEND_LEVELS = ("red", "orange")


@dataclass(frozen=True)
class StructuredHazard:
    hazard: str
    alert_level: str
    countries: list[str]  # ISO alpha-2
    send: bool

    @property
    def evidence(self) -> dict:
        return {"hazard": self.hazard, "alert_level": self.alert_level, "countries": self.countries}


def _alpha2(iso3: str) -> list[str]:
    out = []
    for code in iso3.replace(";", ",").split(","):
        code = code.strip().upper()
        if not code:
            continue
        country = pycountry.countries.get(alpha_3=code) or pycountry.countries.get(alpha_2=code)
        if country is not None and country.alpha_2 not in out:
            out.append(country.alpha_2)
    return out


def structured_hazard(extras: Mapping[str, str]) -> StructuredHazard | None:
    """The hazard a GDACS-shaped item declares, or None when it declares none."""
    kind = (extras.get("gdacs:eventtype") or "").strip().upper()
    level = (extras.get("gdacs:alertlevel") or "").strip()
    if kind not in EVENT_TYPES or not level:
        return None
    countries = _alpha2(extras.get("gdacs:iso3", ""))
    if not countries:
        from analysis.gazetteer import country_finder
        from analysis.text import tokenize

        countries = country_finder().find(tokenize(extras.get("gdacs:country", "")))
    return StructuredHazard(EVENT_TYPES[kind], level.capitalize(), countries, level.lower() in SEND_LEVELS)
