"""Search benchmark: N synthetic items (English and Russian, Zipf-distributed words) in a SQLite file.

    .venv/bin/python -m bench.search                 # 1,000,000 items
    .venv/bin/python -m bench.search --items 50000   # a quick run

Prints the index build time and size, then p50/p95 latency of 200 mixed queries through
storage.search.search_items (parse, FTS5 BM25, filters, recency re-rank, snippets), and in the same run the
raw FTS5 MATCH of the same queries (ORDER BY rank LIMIT 10) on the same index, with the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import text

from storage.db import Database
from storage.search import RANK_WINDOW, search_items
from storage.search_query import parse_query
from storage.search_stopwords import is_stop_word
from storage.search_text import stem, stemmed_text


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = {
    "en": _words(
        "the of and in to a on for with by at from was is were that as an be has have will its their this "
        "said which also after over"
    ),
    "ru": _words("и в на по с о для что к из от как за это не был была были также году его их при до между после а"),
}
DOMAIN_WORDS = {
    "en": _words(
        "emergency emergencies rescue rescuers rescued flood floods flooding earthquake earthquakes "
        "seismic mudflow mudflows landslide landslides drought droughts warning warnings early system "
        "systems monitoring forecast forecasting risk risks disaster disasters ministry ministries "
        "minister ministers health epidemic epidemics outbreak outbreaks vaccine vaccines vaccination "
        "medical medicine medicines hospital hospitals laboratory laboratories biosafety biosecurity "
        "pathogen pathogens chemical radiological nuclear radiation training trainings trained exercise "
        "exercises drill drills course courses seminar seminars webinar webinars workshop workshops "
        "agreement agreements memorandum cooperation cooperate summit summits meeting meetings "
        "secretariat centre centres regional region regions humanitarian aid assistance relief supplies "
        "delivered delivery team teams response responders sanitary services kazakhstan kyrgyzstan "
        "tajikistan uzbekistan turkmenistan russia china sco who cica almaty astana bishkek dushanbe "
        "tashkent ashgabat joint mutual preparedness capacity experts specialists"
    ),
    "ru": _words(
        "чрезвычайная чрезвычайной чрезвычайных ситуаций ситуации спасатели спасателей спасательные "
        "наводнение наводнения наводнений паводок паводки паводков землетрясение землетрясения "
        "землетрясений сейсмической сель сели селей оползень оползни оползней засуха засухи оповещение "
        "оповещения раннего системы система мониторинг мониторинга прогноз прогнозирование риск риски "
        "рисков бедствий бедствия министерство министерства министр министры здравоохранения эпидемия "
        "эпидемии вспышка вспышки вакцина вакцины вакцинации медицинской медицинские лекарства больница "
        "больницы лаборатория лаборатории лабораторий биобезопасности биобезопасность патогенов "
        "химической радиационной ядерной радиации обучение обучения учения учений тренинг тренинги курс "
        "курсы семинар семинары вебинар вебинары соглашение соглашения меморандум сотрудничество "
        "сотрудничества саммит саммита встреча встречи секретариат центр центра региональный региона "
        "регионов гуманитарная помощь помощи поставки доставлены команда команды реагирование "
        "реагирования санитарно эпидемиологической службы казахстан казахстана кыргызстан кыргызстана "
        "таджикистан таджикистана узбекистан узбекистана туркменистан россия россии китай китая шос воз "
        "алматы астана бишкек душанбе ташкент ашхабад совместные взаимной готовности эксперты специалисты"
    ),
}
SYLLABLES = {
    "en": _words("ka ri to mo ne sa la vi de po ru ta ko mi ba lo fe gu ni ze an or el in at"),
    "ru": _words("ка ри то мо не са ла ви де по ру та ко ми ба ло фе гу ни зе ан ор ел ин ат"),
}
TOPICS = [
    "emergency_response",
    "public_health",
    "disaster_risk",
    "cbrn_biosafety",
    "capacity_building",
    "cooperation_frameworks",
]
COUNTRIES = ["KZ", "KG", "TJ", "UZ", "TM", "RU", "CN", "IN", "PK", "MN"]
TAIL_WORDS = 20_000
ZIPF_S = 1.07
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3 * 365


def vocabulary(lang: str, rng: np.random.Generator) -> list[str]:
    """Function words first, then domain words, then a long tail of pseudo-words: Zipf ranks in order."""
    seen: set[str] = set()
    words: list[str] = []
    for w in FUNCTION_WORDS[lang] + DOMAIN_WORDS[lang]:
        if w not in seen:
            seen.add(w)
            words.append(w)
    syllables = SYLLABLES[lang]
    while len(words) < TAIL_WORDS:
        n = int(rng.integers(2, 5))
        w = "".join(syllables[int(i)] for i in rng.integers(0, len(syllables), n))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def zipf_probabilities(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** ZIPF_S
    return weights / weights.sum()


class Corpus:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = {lang: vocabulary(lang, self.rng) for lang in ("en", "ru")}
        self.probs = {lang: zipf_probabilities(len(v)) for lang, v in self.vocab.items()}

    def texts(self, lang: str, count: int, low: int, high: int) -> list[str]:
        lengths = self.rng.integers(low, high, count)
        ranks = self.rng.choice(len(self.vocab[lang]), size=int(lengths.sum()), p=self.probs[lang])
        vocab = self.vocab[lang]
        out, pos = [], 0
        for n in lengths:
            out.append(" ".join(vocab[r] for r in ranks[pos : pos + n]))
            pos += n
        return out


def _filler(conn: sqlite3.Connection, table: str, given: set[str]) -> dict[str, object]:
    """Values for NOT NULL columns without a default that the bench does not set (schema may grow)."""
    extra: dict[str, object] = {}
    for _cid, name, type_, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
        if notnull and default is None and not pk and name not in given:
            kind = type_.upper()
            if "INT" in kind or "FLOAT" in kind or "BOOL" in kind:
                extra[name] = 0
            elif "DATE" in kind or "TIME" in kind:
                extra[name] = NOW.replace(tzinfo=None).isoformat(sep=" ")
            else:
                extra[name] = "{}" if "JSON" in kind else ""
    return extra


def build(path: Path, items: int, seed: int) -> tuple[float, int, int]:
    """Fill items, then index them; returns (index build seconds, db bytes before index, after)."""
    corpus = Corpus(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    feeds = [(i, f"https://feed{i}.example/rss", f"Feed {i}") for i in range(1, 51)]
    feed_extra = _filler(conn, "feeds", {"id", "url", "title"})
    cols = ["id", "url", "title", *feed_extra]
    conn.executemany(
        f"INSERT INTO feeds ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [(*f, *feed_extra.values()) for f in feeds],
    )
    item_cols = [
        "id",
        "feed_id",
        "guid",
        "url",
        "title",
        "summary",
        "content_hash",
        "simhash",
        "simhash_band0",
        "simhash_band1",
        "simhash_band2",
        "simhash_band3",
        "published_at",
        "fetched_at",
        "language",
        "keywords",
        "annotation",
    ]
    item_extra = _filler(conn, "items", set(item_cols))
    item_cols += list(item_extra)
    insert_item = f"INSERT INTO items ({', '.join(item_cols)}) VALUES ({', '.join('?' * len(item_cols))})"
    chunk = 50_000
    index_seconds = 0.0
    step = timedelta(days=SPAN_DAYS) / items
    start = NOW - timedelta(days=SPAN_DAYS)
    batches = []
    for first in range(1, items + 1, chunk):
        n = min(chunk, items - first + 1)
        langs = np.where(corpus.rng.random(n) < 0.5, "en", "ru")
        texts = {}
        for lang in ("en", "ru"):
            k = int((langs == lang).sum())
            texts[lang] = (iter(corpus.texts(lang, k, 6, 12)), iter(corpus.texts(lang, k, 20, 45)))
        rows, topics, countries, docs = [], [], [], []
        for j in range(n):
            item_id = first + j
            lang = str(langs[j])
            title, summary = next(texts[lang][0]), next(texts[lang][1])
            published = (start + step * item_id).replace(tzinfo=None).isoformat(sep=" ")
            digest = hashlib.blake2b(str(item_id).encode(), digest_size=16).hexdigest()
            rows.append(
                (
                    item_id,
                    item_id % 50 + 1,
                    digest,
                    f"https://news.example/{digest}",
                    title,
                    summary,
                    digest,
                    0,
                    0,
                    0,
                    0,
                    0,
                    published,
                    published,
                    lang,
                    "[]",
                    "{}",
                    *item_extra.values(),
                )
            )
            for t in corpus.rng.choice(len(TOPICS), int(corpus.rng.integers(0, 3)), replace=False):
                topics.append((item_id, TOPICS[int(t)], 0.7))
            for c in corpus.rng.choice(len(COUNTRIES), int(corpus.rng.integers(0, 3)), replace=False):
                countries.append((item_id, COUNTRIES[int(c)]))
            docs.append((item_id, title, summary))
        conn.executemany(insert_item, rows)
        conn.executemany("INSERT INTO item_topics (item_id, topic, score) VALUES (?, ?, ?)", topics)
        conn.executemany("INSERT INTO item_countries (item_id, country) VALUES (?, ?)", countries)
        conn.commit()
        batches.append(docs)
        # Index the chunk the way storage.search.index_items does: stem in Python, triggers feed FTS5.
        began = time.perf_counter()
        conn.executemany(
            "INSERT INTO item_search (item_id, title, body) VALUES (?, ?, ?)",
            [(i, stemmed_text(t), stemmed_text(s)) for i, t, s in docs],
        )
        conn.commit()
        index_seconds += time.perf_counter() - began
        batches.clear()
        print(f"  {first + n - 1:>9,} items", file=sys.stderr, flush=True)
    began = time.perf_counter()
    conn.execute("INSERT INTO items_fts(items_fts) VALUES ('optimize')")
    conn.commit()
    index_seconds += time.perf_counter() - began
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    fts_bytes = _table_bytes(conn, "items_fts_") + _table_bytes(conn, "item_search")
    total = path.stat().st_size
    conn.close()
    return index_seconds, fts_bytes, total


def _table_bytes(conn: sqlite3.Connection, prefix: str) -> int:
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE ? GROUP BY name", (prefix + "%",))
        return int(sum(r[1] for r in rows))
    except sqlite3.OperationalError:  # dbstat not compiled in
        return -1


def make_queries(seed: int, count: int = 200) -> list[str]:
    """Mixed queries: words, two-word ANDs, phrases, OR, exclusions and filters, in both languages.

    Query words are domain words drawn with the same Zipf law (the most common ones match about a third
    of the items of their language). As a person would, a query never repeats a word it already has
    (two inflections of one stem count as the same word), and a quoted phrase is a stretch of an item's
    text that starts and ends on a content word ("flood of kazakhstan"), not a pair of function words.
    """
    corpus = Corpus(seed)
    rng = np.random.default_rng(seed + 1)
    queries = []
    for i in range(count):
        lang = "en" if i % 2 else "ru"
        domain = DOMAIN_WORDS[lang]
        probs = zipf_probabilities(len(domain))
        used: set[str] = set()

        def word(domain: list[str] = domain, probs: np.ndarray = probs, used: set[str] = used) -> str:
            while True:
                w = domain[int(rng.choice(len(domain), p=probs))]
                if stem(w) not in used:
                    used.add(stem(w))
                    return w

        kind = i % 10
        if kind in (0, 1, 2):
            q = word()
        elif kind in (3, 4):
            q = f"{word()} {word()}"
        elif kind == 5:
            q = f'"{_phrase(corpus, lang, rng)}"'
        elif kind == 6:
            q = f"{word()} OR {word()} {word()}"
        elif kind == 7:
            q = f"{word()} -{word()} topic:{TOPICS[int(rng.integers(0, len(TOPICS)))]}"
        elif kind == 8:
            q = f"{word()} country:{COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]} since:2025-06-01"
        else:
            q = f"{word()} {word()} lang:{lang} until:2024-12-31"
        queries.append(q)
    return queries


def _phrase(corpus: Corpus, lang: str, rng: np.random.Generator) -> str:
    """Two or three running words of a generated text, first and last not stop words."""
    while True:
        sample = corpus.texts(lang, 1, 12, 13)[0].split()
        size = int(rng.integers(2, 4))
        k = int(rng.integers(0, len(sample) - size + 1))
        window = sample[k : k + size]
        if not is_stop_word(window[0]) and not is_stop_word(window[-1]):
            return " ".join(window)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


async def run_queries(url: str, queries: list[str]) -> tuple[list[float], list[float], int, int]:
    """Per query: the raw FTS5 MATCH (BM25 over every match, ORDER BY rank LIMIT 10), then search_items.

    Also counts the queries whose text matches more than RANK_WINDOW items, which search_items ranks
    within the newest RANK_WINDOW matches (counted outside the timings, before filters)."""
    db = Database(url)
    full_ms, raw_ms, hits, windowed = [], [], 0, 0
    raw_sql = text("SELECT rowid, rank FROM items_fts WHERE items_fts MATCH :m ORDER BY rank LIMIT 10")
    count_sql = text("SELECT count(*) FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH :m LIMIT :n)")
    try:
        async with db.session() as session:
            for q in queries:  # warm the page cache for both paths
                await search_items(session, q, now=NOW)
                await session.execute(raw_sql, {"m": parse_query(q).fts_match()})
            for q in queries:
                match = parse_query(q).fts_match()
                began = time.perf_counter()
                (await session.execute(raw_sql, {"m": match})).all()
                raw_ms.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                page = await search_items(session, q, now=NOW)
                full_ms.append((time.perf_counter() - began) * 1000)
                hits += bool(page.results)
                n = (await session.execute(count_sql, {"m": match, "n": RANK_WINDOW + 1})).scalar_one()
                windowed += n > RANK_WINDOW
    finally:
        await db.aclose()
    return full_ms, raw_ms, hits, windowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="reuse or keep this SQLite file (default: a temporary one)")
    args = parser.parse_args(argv)
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="coopwatch-bench-")
        args.db = Path(tmp.name) / "bench.db"
    url = f"sqlite+aiosqlite:///{args.db}"
    try:
        if not args.db.exists():
            db = Database(url)
            asyncio.run(_upgrade(db))
            build_s, index_bytes, total = build(args.db, args.items, args.seed)
            print(f"items: {args.items:,}")
            print(f"index build (stemming + FTS5 + optimize): {build_s:.1f} s")
            print(
                f"index size (item_search + items_fts): {index_bytes / 1e6:.1f} MB; database file {total / 1e6:.1f} MB"
            )
        queries = make_queries(args.seed, args.queries)
        full, raw, hits, windowed = asyncio.run(run_queries(url, queries))
        p50, p95 = percentile(full, 50), percentile(full, 95)
        r50, r95 = percentile(raw, 50), percentile(raw, 95)
        print(f"queries: {len(queries)} ({hits} with results; {windowed} match more than {RANK_WINDOW:,} items)")
        print(f"search_items: p50 {p50:.2f} ms, p95 {p95:.2f} ms, mean {statistics.mean(full):.2f} ms")
        print(f"raw FTS5 MATCH: p50 {r50:.2f} ms, p95 {r95:.2f} ms, mean {statistics.mean(raw):.2f} ms")
        print(f"ratio search/raw: p50 {p50 / r50:.2f}x, p95 {p95 / r95:.2f}x (target p95 <= 50 ms and <= 1.5x)")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


async def _upgrade(db: Database) -> None:
    try:
        await db.upgrade()
    finally:
        await db.aclose()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
