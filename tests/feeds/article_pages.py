"""Article pages as regional news sites serve them: navigation, a cookie banner, share buttons, related links
and reader comments around the story. The story paragraphs are the only text a summary may take."""

from __future__ import annotations

EN_STORY = [
    "Rescue teams from Kazakhstan and Kyrgyzstan finished a two-day joint exercise in the Chui valley on "
    "Thursday, practising the evacuation of border villages after a simulated mudflow.",
    "Crews set up a shared command post near Kordai and passed river-level readings between the two "
    "emergency ministries every fifteen minutes, officials said.",
    "The ministries plan to repeat the drill before each mudflow season and to invite observers from "
    "Tajikistan and Uzbekistan next spring.",
]
RU_STORY = [
    "Специалисты санитарно-эпидемиологической службы Таджикистана прошли недельный курс по работе "
    "с мобильной лабораторией, подготовленный при поддержке Всемирной организации здравоохранения.",
    "Занятия проходили в Душанбе: участники отрабатывали отбор проб, упаковку образцов и быструю "
    "диагностику особо опасных инфекций в полевых условиях.",
    "По словам организаторов, обученные группы будут направлены в приграничные районы Хатлонской области.",
]
CHROME = [
    "Home",
    "Politics",
    "Economy",
    "Subscribe to our newsletter",
    "We use cookies to improve your experience. Accept all cookies",
    "Share on Facebook",
    "Related: Stock exchange index closes higher for third day",
    "Related: Football club signs new striker",
    "Comment by reader42: Finally some good news!",
    "All rights reserved",
]


def article_page(title: str, story: list[str], *, lang: str = "en") -> bytes:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in story)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Regional News</title>
<script>window.dataLayer = []; function track() {{ return 1; }}</script>
<style>.banner {{ position: fixed; }}</style></head>
<body>
<header><nav class="menu"><ul><li><a href="/">{CHROME[0]}</a></li><li><a href="/politics">{CHROME[1]}</a></li>
<li><a href="/economy">{CHROME[2]}</a></li></ul></nav>
<div class="newsletter"><a href="/subscribe">{CHROME[3]}</a></div></header>
<div id="cookie-banner" class="banner cookie-consent"><p>{CHROME[4]}</p><button>OK</button></div>
<main><article class="post">
<h1 class="entry-title">{title}</h1>
<div class="meta"><time datetime="2026-05-14">14.05.2026</time> <span class="author">Staff</span></div>
<div class="entry-content">
{paragraphs}
</div>
<div class="share"><a href="https://facebook.com/share">{CHROME[5]}</a></div>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">{CHROME[6]}</a></li>
<li><a href="/b">{CHROME[7]}</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3><div class="comment"><p>{CHROME[8]}</p></div></section>
</main>
<footer><p>{CHROME[9]}</p></footer>
</body></html>""".encode()
