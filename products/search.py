"""Free-text search over the catalogue, and the search box's suggestions as one types.

Both databases answer from a full-text index, so a search costs the same however many products there are
(the index finds the matches; only the matches are ranked):

PostgreSQL
    Each product stores a weighted tsvector, `Product.search_vector`, with a GIN index: its name and its
    Ukrainian spelling (weight A), its manufacturer's name and category path (B), its summary (C) and its
    description (D). The English texts are stemmed ('english'); the name as typed too, and the other
    languages' texts only as typed ('simple': PostgreSQL has no Ukrainian stemmer). Rank: ts_rank with those
    weights.

SQLite
    The FTS5 table `products_search` (ProductSearchEntry): the same texts in four columns (each holding every
    language's text), tokenized without case or accents, stemmed by Porter's English stemmer (which leaves
    Cyrillic words alone). Rank: bm25 with the weights 8, 4, 2, 1.

Languages and scripts: the content has a column per language (products/translation.py) and every one is
indexed, with the Latin spelling of the Ukrainian text (the national system of 2010, letter by letter:
"Жало" is also "zhalo"; products.words.TRANSLITERATION), so "Zhalo" finds "Жало". A Cyrillic query word is
also looked for in Latin letters, so "Жало" finds a product named "Zhalo" and "Кестрел" the Kestrel; a Latin
word written the national system's way at the start of a word ("Yaroslav") also as the documents spell it
("iaroslav"). Ukrainian is inflected and neither database has a stemmer for it: a Cyrillic word of four
letters or more is looked for as a prefix, without a common ending ("дронів" → "дрон…" finds "дрони",
"дронів"; both indexes answer a prefix).

Products, manufacturers and categories keep the index current when they are saved; after writes that bypass
save() (loaddata, queryset.update(), bulk_create) run `manage.py rebuild_catalogue_index`.

Every word of the query must match. A word of five letters or more that the catalogue does not have is also
looked for as the catalogue's words one edit away from it (two from nine letters): a letter wrong, missing or
extra, or two neighbours swapped, so "jamer" finds a jammer and "kestral" the Kestrel. Those words come from
SearchTerm, the catalogue's vocabulary (in every language), in one query before the search: on PostgreSQL its
trigram index gives the candidates, on SQLite the words with the same first letter; the edit distance
decides, the same way on both. A word the catalogue has is looked for as typed: "jammer" does not also find
what is "jammed" (a Cyrillic word counts as known when the vocabulary has a word it is the prefix of). A
product whose name holds the words as typed ranks above one found through a correction, and a name starting
with the first word ranks first.

Any text is accepted: the words are taken out with a regular expression and passed to the database as
parameters (quoted for FTS5; a prefix is only letters), so quotes, operators (& | ! : * OR NEAR), emoji or
control characters never reach a query parser. English and common Ukrainian stop words ("the", "with", "та",
"для", …) are dropped.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Case, F, FloatField, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Length

from products.models import (
    NAME_SEARCH_CONFIG,
    OTHER_LANGUAGES_SEARCH_CONFIG,
    SEARCH_CONFIG,
    ProductSearchEntry,
    SearchTerm,
)
from products.words import STOP_WORDS, allowed_typos, edit_distance, other_spellings, prefix_stem, words_in

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# A mistyped word is looked for as itself and as at most this many words of the vocabulary, closest first.
MAX_CORRECTIONS = 3
# Trigrams need three letters to find anything through the index; names are suggested from this length.
SUGGEST_MIN_LENGTH = 3
SUGGEST_MAX_LIMIT = 20

# Added to the text rank, on the scale of each database's own rank (ts_rank gives about 0.6 for a word of the
# name; -bm25 a few units): per word of the query found as typed in the name, and when the name starts with
# the first word.
NAME_BONUSES = {"postgresql": (0.2, 0.5), "sqlite": (2.0, 4.0)}


class TrigramWordMatch(Func):
    """PostgreSQL's `word <% column`: word_similarity(word, column) reaches the server's
    pg_trgm.word_similarity_threshold. Unlike comparing TrigramWordSimilarity with a number, a trigram index
    on the column can answer it."""

    template = "(%(expressions)s)"
    arg_joiner = " <%% "
    output_field = BooleanField()

    def __init__(self, word: str, expression: str):
        super().__init__(Value(word), F(expression))


class TrigramMatch(Func):
    """PostgreSQL's `column % word`: similarity(column, word) reaches pg_trgm.similarity_threshold (0.3 by
    default), answered by a trigram index on the column."""

    template = "(%(expressions)s)"
    arg_joiner = " %% "
    output_field = BooleanField()

    def __init__(self, expression: str, word: str):
        super().__init__(F(expression), Value(word))


def search_words(query: str) -> list[str]:
    """The words of a query worth looking for: lower-cased, no stop words or repeats, at most MAX_WORDS."""
    words = []
    for word in words_in(query[:MAX_QUERY_LENGTH]):
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


@dataclass(frozen=True)
class SearchPlan:
    """What a query is looked for as: its words, and for each the spellings that count as a match (the word
    itself first, then the vocabulary's words within its allowed typos, closest first)."""

    words: tuple[str, ...]
    spellings: dict[str, tuple[str, ...]]
    known: frozenset[str]  # the words the catalogue's vocabulary holds as typed

    def terms(self, word: str) -> tuple[tuple[str, bool], ...]:
        """What the database looks for a word as: (text, whether as a prefix), for each of its spellings and
        their spellings in the other script. A Cyrillic word of four letters or more is looked for as a
        prefix, without its ending ("дронів" → "дрон…", "dron…"); other words as they are."""
        terms = {}
        for spelling in self.spellings[word]:
            stem = prefix_stem(spelling)
            for text in (stem or spelling, *other_spellings(stem or spelling)):
                terms.setdefault(text, stem is not None)
        return tuple(terms.items())

    @property
    def corrections(self) -> dict[str, str]:
        """For each word the catalogue does not know, the closest word it does ("jamer" → "jammer")."""
        return {
            word: self.spellings[word][1]
            for word in self.words
            if word not in self.known and len(self.spellings[word]) > 1
        }


def plan_search(query: str, using: str = DEFAULT_DB_ALIAS) -> SearchPlan:
    """Read the query's words and look up their spellings in the vocabulary (one query; none when no word
    can have a typo)."""
    words = tuple(search_words(query))
    fuzzy = [word for word in words if allowed_typos(word)]
    spellings = {word: (word,) for word in words}
    if not fuzzy:
        return SearchPlan(words, spellings, frozenset())
    vocabulary = SearchTerm.objects.using(using)
    # A Cyrillic word is known when the vocabulary has a word it is the prefix of (another form of it).
    stems = {word: prefix_stem(word) for word in fuzzy if prefix_stem(word)}
    inflected = reduce(or_, (Q(term__startswith=stem) for stem in stems.values()), Q(pk__in=[]))
    if connections[using].vendor == "postgresql":
        candidates = reduce(or_, (Q(TrigramMatch("term", word)) for word in fuzzy))
    else:
        # SQLite has no similarity index: the candidates are the words that start with the same letter and
        # are about as long, read through the unique index on the term.
        vocabulary = vocabulary.alias(length=Length("term"))
        candidates = reduce(
            or_,
            (
                Q(
                    term__gte=word[0],
                    term__lt=chr(ord(word[0]) + 1),
                    length__gte=len(word) - allowed_typos(word),
                    length__lte=len(word) + allowed_typos(word),
                )
                for word in fuzzy
            ),
        )
    terms = set(vocabulary.filter(Q(term__in=fuzzy) | inflected | candidates).values_list("term", flat=True))
    known = {word for word in words if word in terms}
    known |= {word for word, stem in stems.items() if any(term.startswith(stem) for term in terms)}
    for word in fuzzy:
        if word in known:
            continue  # a word the catalogue has is looked for as typed
        limit = allowed_typos(word)
        distances = ((edit_distance(word, term, limit), term) for term in terms if term != word)
        close = sorted((distance, term) for distance, term in distances if distance <= limit)
        spellings[word] = (word, *(term for _distance, term in close[:MAX_CORRECTIONS]))
    return SearchPlan(words, spellings, frozenset(known))


def is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_products(queryset: QuerySet, query: "str | SearchPlan") -> QuerySet:
    """The products of `queryset` that match `query`, annotated with `rank` (a float, higher is better).

    A blank query matches every product (rank 0); a query with no word worth looking for (only punctuation or
    stop words) matches none. The caller orders by "-rank" to sort by relevance. Pass a SearchPlan made once
    to filter several querysets by one query without looking up its spellings again.
    """
    if isinstance(query, str):
        if not query.strip():
            return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
        query = plan_search(query, queryset.db)
    return rank_products(match_products(queryset, query), query)


def match_products(queryset: QuerySet, plan: SearchPlan) -> QuerySet:
    """The products of `queryset` that match the plan, without a rank: what counts and filters need."""
    if not plan.words:
        # No row rather than none(): the facet counts compile this queryset into SQL of their own, and an
        # empty queryset has none (Django raises EmptyResultSet), so a query of only punctuation was a 500.
        return queryset.filter(pk__isnull=True)
    if is_postgresql(queryset):
        return queryset.filter(search_vector=_postgresql_query(plan))
    # A subquery rather than a join: SQLite reads the full-text index once, whatever else the query joins.
    entries = ProductSearchEntry.objects.filter(document__match=_sqlite_query(plan)).values("product_id")
    return queryset.filter(pk__in=entries)


def rank_products(queryset: QuerySet, plan: SearchPlan) -> QuerySet:
    """Annotate `rank` (a float, higher is better) on products that match the plan."""
    if not plan.words:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    word_bonus, prefix_bonus = NAME_BONUSES[connections[queryset.db].vendor]
    bonus = sum(
        (
            Case(
                When(Q(name__icontains=word) | Q(name_uk__icontains=word), then=Value(word_bonus)),
                default=Value(0.0),
                output_field=FloatField(),
            )
            for word in plan.words
        ),
        Case(
            When(name__istartswith=plan.words[0], then=Value(prefix_bonus)),
            default=Value(0.0),
            output_field=FloatField(),
        ),
    )
    if is_postgresql(queryset):
        return queryset.annotate(rank=SearchRank(F("search_vector"), _postgresql_query(plan)) + bonus)
    # FTS5's rank is bm25 (lower is better), with the column weights its migration set; it is read through
    # a join on the same match, which SQLite answers from the full-text index first.
    return queryset.filter(search_entry__document__match=_sqlite_query(plan)).annotate(
        rank=-F("search_entry__rank") + bonus
    )


def _postgresql_query(plan: SearchPlan) -> SearchQuery:
    matches = None
    for word in plan.words:
        word_query = reduce(or_, (_postgresql_term(text, prefix) for text, prefix in plan.terms(word)))
        matches = word_query if matches is None else matches & word_query
    return matches


def _postgresql_term(text: str, prefix: bool) -> SearchQuery:
    if prefix:
        # Only letters (prefix_stem and transliterate make nothing else), so the raw tsquery holds no syntax.
        return SearchQuery(f"{text}:*", search_type="raw", config=OTHER_LANGUAGES_SEARCH_CONFIG)
    # The name and the other languages' texts are indexed as typed ('simple'), so that a name is found
    # whatever the English stemmer makes of it; the English texts stemmed ('english').
    return SearchQuery(text, config=SEARCH_CONFIG) | SearchQuery(text, config=NAME_SEARCH_CONFIG)


def full_text_string(text: str) -> str:
    """An FTS5 string literal: whatever it holds is words to find, never query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _sqlite_query(plan: SearchPlan) -> str:
    return " AND ".join(
        "(" + " OR ".join(full_text_string(text) + "*" * prefix for text, prefix in plan.terms(word)) + ")"
        for word in plan.words
    )


def suggest_products(queryset: QuerySet, query: str, limit: int = 8) -> list[dict]:
    """Up to `limit` {"name", "slug"} of the products of `queryset` whose names match what is being typed.

    Names starting with the text come first, then names with a word starting with it, then (PostgreSQL)
    names containing it or similar to it by trigrams (a typo), closest first; the Ukrainian spelling counts as
    the name. One query through an index: PostgreSQL's trigram indexes on the name and on the Ukrainian
    spelling; SQLite's full-text table, which finds words of the name starting with the text. Fewer than
    SUGGEST_MIN_LENGTH characters suggest nothing. Visibility is the caller's: pass the queryset the user may
    see.
    """
    typed = " ".join(query[:MAX_QUERY_LENGTH].split())
    text = "".join(character for character in typed if character.isprintable())
    if len(text) < SUGGEST_MIN_LENGTH or not words_in(text):
        return []
    limit = max(1, min(int(limit), SUGGEST_MAX_LIMIT))
    score = Case(
        When(Q(name__istartswith=text) | Q(name_uk__istartswith=text), then=Value(3)),
        When(
            Q(name__icontains=f" {text}")
            | Q(name__icontains=f"-{text}")
            | Q(name_uk__icontains=f" {text}")
            | Q(name_uk__icontains=f"-{text}"),
            then=Value(2),
        ),
        When(Q(name__icontains=text) | Q(name_uk__icontains=text), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    candidates = queryset.prefetch_related(None).annotate(suggestion_score=score)
    if is_postgresql(queryset):
        # The name as the manufacturer writes it and its Ukrainian spelling, each with its trigram index.
        similarity = Greatest(TrigramWordSimilarity(text, "name"), TrigramWordSimilarity(text, "name_uk"))
        candidates = candidates.annotate(suggestion_similarity=similarity).filter(
            Q(name__icontains=text)
            | Q(TrigramWordMatch(text, "name"))
            | Q(name_uk__icontains=text)
            | Q(TrigramWordMatch(text, "name_uk"))
        )
        ordering = ["-suggestion_score", "-suggestion_similarity", "name", "pk"]
    else:
        # The name's words starting with the text (the FTS5 name column holds the Ukrainian spelling too):
        # the typed words as a phrase, the last one a prefix.
        phrase = full_text_string(" ".join(words_in(text)))
        candidates = candidates.filter(search_entry__document__match=f"name : {phrase} *")
        ordering = ["-suggestion_score", "name", "pk"]
    return list(candidates.order_by(*ordering).values("name", "slug")[:limit])
