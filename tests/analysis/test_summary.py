from __future__ import annotations

from analysis.summary import keywords, summarize
from analysis.text import clean_text, split_sentences
from tests.analysis.conftest import item


def test_summary_is_lead_sentences_within_limit():
    body = " ".join(f"Sentence number {i} talks about rescue teams and floods in the valley." for i in range(30))
    s = summarize("Title", body, 300)
    assert len(s) <= 300
    assert s.startswith("Sentence number 0")
    assert s.endswith(".")


def test_one_long_sentence_is_clipped_with_ellipsis():
    s = summarize("T", "word " * 200, 300)
    assert len(s) <= 300 and s.endswith("…")


def test_summary_falls_back_to_title_and_skips_repeated_title():
    assert summarize("Floods hit the north", "", 300) == "Floods hit the north"
    assert summarize("Floods hit the north", "Floods hit the north. Rescuers came.", 300) == "Rescuers came."


def test_html_is_removed(annotator):
    ann = annotator.annotate(item("T", "<p>Rescuers <b>arrived</b> &amp; helped.</p><script>alert(1)</script>"))
    assert ann.summary == "Rescuers arrived & helped."


def test_russian_sentence_split_keeps_abbreviations():
    parts = split_sentences("Встреча прошла 3 сент. 2024 г. в Астане. Участники обсудили план. Проф. Иванов выступил.")
    assert parts[-1] == "Проф. Иванов выступил."
    assert len(parts) == 3


def test_english_split_keeps_titles():
    assert split_sentences("Mr. Ashimov spoke first. The plan was adopted.") == [
        "Mr. Ashimov spoke first.",
        "The plan was adopted.",
    ]


def test_keywords_both_languages():
    assert keywords("Mudflow early warning system installed in Kyrgyz valley villages", "en", 5)
    assert keywords("Система раннего оповещения о селях установлена в долине", "ru", 5)
    assert keywords("", "en", 5) == []


def test_clean_text_drops_control_bytes():
    assert clean_text("a\x00b\x1fc\ufffd d", 100) == "a b c d"
