"""Text plumbing shared by every extractor: cleaning, tokens, language, Russian word forms."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from selectolax.lexbor import LexborHTMLParser as HTMLParser

_TAG_HINT = re.compile(r"<[a-zA-Z/!][^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+(?:['’‘][^\W_]+)*", re.UNICODE)  # Uzbek writes o‘ and g‘ with ‘
_CYR = re.compile(r"[а-яёА-ЯЁ]")
_LAT = re.compile(r"[a-zA-Z]")

_EN_STEM = Stemmer.Stemmer("english")


def clean_text(raw: str, max_chars: int) -> str:
    """Plain text: HTML removed, entities decoded, control bytes dropped, spaces collapsed."""
    text = raw[: max_chars * 4]  # bound the work on huge inputs before parsing
    if _TAG_HINT.search(text):
        tree = HTMLParser(text)
        for node in tree.css("script, style"):
            node.decompose()
        body = tree.body or tree.root
        text = body.text(separator=" ") if body is not None else ""
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:max_chars]


# Languages of the region and its neighbours. Restricting py3langid to them keeps short titles from being
# taken for a distant relative (Chinese for Japanese, Kazakh for Tatar); measured on the corpus titles in
# bench/langid.py.
REGION_LANGUAGES = (
    "en", "ru", "kk", "ky", "uz", "tg", "tk", "zh", "uk", "be", "mn", "fa", "ps", "ur", "hi", "tr", "az", "ar",
    "de", "fr",
)  # fmt: skip
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # model ships in the wheel; loaded once

    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    ident.set_languages(list(REGION_LANGUAGES))
    return ident


def detect_language(text: str, hint: str | None = None) -> str:
    """ISO 639-1 code of the text (py3langid over the region's languages); the feed's hint only when the
    text has too few letters to judge, since feeds often declare one language for everything."""
    sample = text[:2000]
    if len(_LETTER.findall(sample)) >= 3:
        return str(_identifier().classify(sample)[0])
    if hint and hint.strip():
        return hint.strip().lower()[:2]
    cyr = len(_CYR.findall(sample))
    lat = len(_LAT.findall(sample))
    if cyr == 0 and lat == 0:
        return "und"
    return "ru" if cyr >= lat else "en"


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written
    low: str  # lower-case, ё folded to е
    key: str  # matching key: English stem for Latin words, the lower form otherwise
    start: int
    end: int
    is_cyrillic: bool

    @property
    def is_upper_initial(self) -> bool:
        return self.text[:1].isupper()


@lru_cache(maxsize=65536)
def _key(low: str, is_cyr: bool) -> str:
    return low if is_cyr else _EN_STEM.stemWord(low)


def fold(word: str) -> str:
    return word.lower().replace("ё", "е").replace("’", "'").replace("‘", "'").replace("ʻ", "'")


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        low = fold(raw)
        is_cyr = bool(_CYR.search(raw))
        out.append(Token(raw, low, _key(low, is_cyr), m.start(), m.end(), is_cyr))
    return out


def stem_en(word: str) -> str:
    return _EN_STEM.stemWord(fold(word))


_ADJ_ENDINGS = [
    "ий",
    "ый",
    "ой",
    "ая",
    "яя",
    "ое",
    "ее",
    "ие",
    "ые",
    "ого",
    "его",
    "ому",
    "ему",
    "ым",
    "им",
    "ом",
    "ем",
    "ую",
    "юю",
    "ых",
    "их",
    "ыми",
    "ими",
    "ей",
]
_NOUN_A = ["", *["а", "ы", "и", "е", "у", "ой", "ою", "ей", "ею", "ю", "я", "ам", "ами", "ах", "ям", "ями", "ях"]]
_NOUN_IYA = ["я", "и", "ю", "ей", "ею", "й", "ям", "ями", "ях"]
_NOUN_Y = ["й", "я", "е", "ю", "ем", "и", "ев", "ям", "ями", "ях"]
_NOUN_SOFT = ["ь", "и", "ью", "я", "ю", "ем", "е", "ей", "ям", "ями", "ях"]
_NOUN_HARD = ["а", "у", "е", "ом", "ы", "ов", "ам", "ами", "ах"]


@lru_cache(maxsize=8192)
def ru_forms(word: str) -> frozenset[str]:
    """Plausible inflected forms of a Russian noun or adjective given in its dictionary form.

    Over-generation is harmless for matching; it spares a morphological analyser.
    """
    w = fold(word)
    forms = {w}
    if len(w) <= 3:
        return frozenset(forms)
    if w.endswith("ие") and len(w) > 5:
        # neuter nouns (совещание, наводнение) far outnumber plural adjectives in dictionary-form patterns
        forms.update(w[:-1] + e for e in ("я", "ю", "ем", "и", "й", "ям", "ями", "ях"))
    elif w[-2:] in ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые"):
        base = w[:-2]
        forms.update(base + e for e in _ADJ_ENDINGS)
    elif w.endswith("ия"):
        forms.update(w[:-1] + e for e in _NOUN_IYA)
    elif w[-1] in "ая":
        forms.update(w[:-1] + e for e in _NOUN_A)
    elif w[-1] == "й":
        forms.update(w[:-1] + e for e in _NOUN_Y)
    elif w[-1] == "ь":
        forms.update(w[:-1] + e for e in _NOUN_SOFT)
    elif w[-1] == "о":
        forms.update(w[:-1] + e for e in ("а", "у", "ом", "е"))
    elif w[-1] == "е":
        forms.update(w[:-1] + e for e in ("я", "ю", "ем", "и"))
    elif w.endswith("ии") and len(w) > 5:
        # plurals of -ия nouns: консультации -> консультаций, консультациях
        forms.update(w[:-1] + e for e in _NOUN_IYA)
    elif w[-1] == "ы" and len(w) > 4:
        # plurals of hard nouns: переговоры -> переговоров, переговорах; курсы -> курсов
        forms.update(w[:-1] + e for e in _NOUN_HARD)
    elif w[-1] in "иуэю":
        pass  # indeclinable: Мали, Перу
    else:
        forms.update(w + e for e in _NOUN_HARD)
    return frozenset(forms)


_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"»”)]?\s+(?=[\"«“(]?[A-ZА-ЯЁ0-9])")
_ABBREV_END = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Lt|No|vs|etc|Inc|Ltd|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct"
    r"|Nov|Dec|U\.S|U\.N|т\.е|т\.д|т\.п|г|гг|им|ул|д|см|тыс|млн|млрд|руб|проф|акад|Проф|Акад|Ген|янв|фев|февр|мар|апр|авг|сен|сент|окт|нояб|дек|[A-ZА-ЯЁ])\.)$"
)


def split_sentences(text: str) -> list[str]:
    """Sentence split that keeps abbreviations (Mr., г., U.N.) and initials (В. В.) together."""
    parts = _SENT_SPLIT.split(text)
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and _ABBREV_END.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out
