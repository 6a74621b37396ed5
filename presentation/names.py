"""Country names: one function for every message and picture."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from presentation.i18n import catalogue


@lru_cache(maxsize=4)
def _country_translation(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str, lang: str) -> str:
    """The name of an ISO 3166 country in ``lang``, wherever Coopwatch shows one (alerts, charts, events,
    subscriptions): the catalogue's name for the region's countries ("Kyrgyzstan", "Кыргызстан"), else
    pycountry's common name in its translation; the code itself for an unknown one."""
    code = code.upper()
    key = f"country.{code}"
    if catalogue().has(lang, key):
        return catalogue().text(lang, key)
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _country_translation(lang).gettext(name)
