"""Function words that search neither indexes nor looks for (English and Russian).

Like Snowball's (and PostgreSQL's) stop lists, trimmed by hand: words that carry meaning in this domain
stay searchable, because a folded "WHO" is "who" and "US" is "us"; numbers, "нет"/"no" style answers and
evaluative words stay too. Lists hold normalised forms (casefolded, ё as е), checked before stemming, so
the index and the query drop exactly the same words on SQLite and on PostgreSQL.
"""

from __future__ import annotations

_ENGLISH = """
    a an the and or but nor if then than so as of at by for with from to in into onto on off out up over
    under about above below after before between through during against among across along around via per
    upon within without
    is are was were be been being am has have had having do does did doing will would shall should could
    might must can
    i me my myself we our ours ourselves you your yours yourself he him his himself she her hers herself it
    its itself they them their theirs themselves this that these those what which whom whose
    also too very just there here when where why how while where whether such same other own only each both
    all any some few most more not
"""

_RUSSIAN = """
    и а но да или либо ни не же ли бы ведь вот уж уже еще также тоже только даже именно
    в во на по с со о об обо к ко у из изо от до за для при про без под над перед через между после
    около вокруг среди вместо кроме ради
    что чтобы чтоб как так когда где куда откуда если хотя потому поэтому чем тем
    я мы ты вы он она оно они меня мне мной нас нам нами тебя тебе вас вам вами его него ему нему им ним
    ее нее ей ней их них ими ними себя себе собой свой свою своего своей своих свои
    этот эта это эти этого этой этом этих этим этому эту тот та то те того той том тех тем тому ту
    который которая которое которые которого которой котором которых которым
    был была было были быть будет будут является являются
    весь вся все всех всем всего всей всю
"""

ENGLISH = frozenset(_ENGLISH.split())
RUSSIAN = frozenset(_RUSSIAN.split())
STOP_WORDS = ENGLISH | RUSSIAN


def is_stop_word(normalised_word: str) -> bool:
    return normalised_word in STOP_WORDS
