"""Free-text search over the catalogue, and the search box's suggestions as one types.

PostgreSQL
    Each product stores a weighted tsvector, `Product.search_vector` (GIN-indexed): its name (weight A, in
    the 'simple' configuration as typed and in the 'english' one stemmed), its manufacturer's name and
    category path (B), its summary (C) and its description (D). Product, Manufacturer and Category keep it
    current when they are saved; after writes that bypass save() (loaddata, queryset.update(), bulk_create)
    run `manage.py rebuild_catalogue_index`. Every word of the query must match: in the vector, with English
    stemming ("jammers" finds "jammer", "detecting" finds "detects"), or, for a word of four letters or
    more, by trigram word similarity with the product's name, its manufacturer's name or its summary
    (pg_trgm's `<%` operator; its threshold is the server's pg_trgm.word_similarity_threshold, 0.6 by
    default), so that "kestral" still finds "Kestrel" and "jamer" a jammer. Rank: ts_rank with the weights,
    plus the trigram word similarity of the whole query to the name, plus 0.5 when the name starts with the
    first word.

SQLite: the honest fallback
    Nothing is stored: the name, manufacturer, category path (the category and its ancestors), summary and
    description are read live through joins, so they are never stale. Every word must occur in one of them
    as a case-insensitive substring; SQLite's LIKE folds the case of ASCII letters only, and no accents.
    There is no stemming beyond folding English plurals ("jammers" is looked for as "jammer"). Typos: a
    word of five to twelve letters also finds a word of the product's name, manufacturer's name or summary
    that starts like it typed with one letter wrong, missing or extra, or two neighbours swapped, the first
    letter kept ("kestral" finds "Kestrel"), through LIKE patterns; no similarity measure beyond that.
    Rank: per word, the weight of the best field it was found in (name 8, manufacturer or category 4,
    summary 2, description 1; half that for a typo match), plus 4 when the name starts with the first word.

Either way search_products() runs no query itself: the queryset it returns is evaluated in one query (with
whatever the caller adds). Any text is accepted: the words are taken out with a regular expression and
passed to the database as parameters, so quotes, operators (& | ! :*), emoji or control characters never
reach a query parser. English stop words ("the", "with", …) are dropped, as PostgreSQL's 'english'
configuration drops them.
"""

import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from products.models import MAX_CATEGORY_DEPTH, NAME_SEARCH_CONFIG, SEARCH_CONFIG

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# PostgreSQL: shorter words have too few trigrams to tell a typo from another word.
TRIGRAM_MIN_LENGTH = 4
# SQLite: each word of this length gets about four LIKE patterns per letter; beyond these bounds a typo
# pattern would match too much (short words) or cost too much (long ones).
TYPO_MIN_LENGTH, TYPO_MAX_LENGTH, TYPO_MAX_WORDS = 5, 12, 4
SUGGEST_MIN_LENGTH = 2
SUGGEST_MAX_LIMIT = 20

# A word: letters and digits, with inner hyphens, dots and apostrophes kept ("KR-90", "5.8", "operator's").
WORD = re.compile(r"\w+(?:[-.'\u2019]\w+)*")

# PostgreSQL's 'english' stop words (Snowball's list), dropped on both databases alike.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these those
    am is are was were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after above below to
    from up down in out on off over under again further then once here there when where why how all any
    both each few more most other some such no nor not only own same so than too very s t can will just
    don should now
"""
ENGLISH_STOP_WORDS = frozenset(_STOP_WORDS.split())

# SQLite fallback: where a word may be found, and what finding it there weighs.
NAME_WEIGHT, CONTEXT_WEIGHT, SUMMARY_WEIGHT, DESCRIPTION_WEIGHT, NAME_PREFIX_BONUS = 8.0, 4.0, 2.0, 1.0, 4.0
# PostgreSQL's rank is on another scale: ts_rank gives about 0.6 for a word of the name, similarity up to 1.
POSTGRESQL_NAME_PREFIX_BONUS = 0.5
# The manufacturer's name and the category path weigh the same: one aliased column, "search_context".
CONTEXT_FIELDS = (
    "manufacturer__name",
    *("category__" + "parent__" * level + "name" for level in range(MAX_CATEGORY_DEPTH)),
)
FIELD_WEIGHTS = (
    ("name", NAME_WEIGHT),
    ("search_context", CONTEXT_WEIGHT),
    ("summary", SUMMARY_WEIGHT),
    ("description", DESCRIPTION_WEIGHT),
)
TYPO_FIELD_WEIGHTS = (
    ("name", NAME_WEIGHT / 2),
    ("manufacturer__name", CONTEXT_WEIGHT / 2),
    ("summary", SUMMARY_WEIGHT / 2),
)
# PostgreSQL: where a word may be found by trigram similarity (a typo) when the full-text vector misses it.
TRIGRAM_FIELDS = ("name", "manufacturer__name", "summary")


class TrigramWordMatch(Func):
    """PostgreSQL's `word <% column`: word_similarity(word, column) reaches the server's
    pg_trgm.word_similarity_threshold. Unlike comparing TrigramWordSimilarity with a number, a trigram index
    on the column can answer it."""

    template = "(%(expressions)s)"
    arg_joiner = " <%% "
    output_field = BooleanField()

    def __init__(self, word: str, expression: str):
        super().__init__(Value(word), F(expression))


class LikeAny(Func):
    r"""`(column LIKE pattern1 ESCAPE '\' OR column LIKE pattern2 …)`: `_` stands for any one character, `%`
    for any run of them. One expression however many patterns, so the column is resolved once. Used on
    SQLite only, where LIKE ignores the case of ASCII letters.

    With `word_start`, the column is read as `' ' || column` with hyphens as spaces, so that a pattern
    `'% word%'` finds a word at the start of the text or after a space or hyphen, not inside another word.
    """

    output_field = BooleanField()

    def __init__(self, expression: str, patterns: list[str], *, word_start: bool = False):
        super().__init__(F(expression))
        self.patterns = patterns
        self.word_start = word_start

    def as_sql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        if self.word_start:
            column = f"(' ' || REPLACE({column}, '-', ' '))"
        sql = " OR ".join(f"{column} LIKE %s ESCAPE '\\'" for _pattern in self.patterns)
        params = [param for pattern in self.patterns for param in (*column_params, pattern)]
        return f"({sql})", params


def search_words(query: str) -> list[str]:
    """The words of a query worth looking for: lower-cased, no stop words or repeats, at most MAX_WORDS."""
    words = []
    for word in WORD.findall(query[:MAX_QUERY_LENGTH].lower()):
        if word not in ENGLISH_STOP_WORDS and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_products(queryset: QuerySet, query: str) -> QuerySet:
    """The products of `queryset` that match `query`, annotated with `rank` (a float, higher is better).

    A blank query matches every product (rank 0); a query with no word worth looking for (only punctuation or
    stop words) matches none. The caller orders by "-rank" to sort by relevance.
    """
    if not query or not query.strip():
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    words = search_words(query)
    if not words:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if is_postgresql(queryset):
        return _search_postgresql(queryset, words)
    return _search_fallback(queryset, words)


def _search_postgresql(queryset: QuerySet, words: list[str]) -> QuerySet:
    matches = Q()
    any_word = None
    for word in words:
        # The name is indexed in both configurations: as typed ('simple'), so that a name is found whatever
        # the English stemmer makes of it, and stemmed ('english') like the rest.
        word_query = SearchQuery(word, config=SEARCH_CONFIG) | SearchQuery(word, config=NAME_SEARCH_CONFIG)
        found = Q(search_vector=word_query)
        if len(word) >= TRIGRAM_MIN_LENGTH:
            found |= reduce(or_, (Q(TrigramWordMatch(word, field)) for field in TRIGRAM_FIELDS))
        matches &= found
        any_word = word_query if any_word is None else any_word | word_query
    # Ranked against any of the words, so that a product found partly by a typo still scores its exact words.
    rank = (
        Coalesce(SearchRank(F("search_vector"), any_word), Value(0.0))
        + TrigramWordSimilarity(" ".join(words), "name")
        + name_prefix_bonus(words, POSTGRESQL_NAME_PREFIX_BONUS)
    )
    return queryset.filter(matches).annotate(rank=rank)


def name_prefix_bonus(words: list[str], bonus: float) -> Case:
    """`bonus` when the name starts with the first word: "kestrel" puts "Kestrel K-2" above "Mini Kestrel"."""
    return Case(
        When(name__istartswith=words[0], then=Value(bonus)), default=Value(0.0), output_field=FloatField()
    )


def fold_plural(word: str) -> str:
    """A crude English singular, looked for as a substring: "jammers" → "jammer", "batteries" → "batter"."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 6:
        return word[:-3]
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def typo_patterns(word: str) -> list[str]:
    """LIKE patterns (for LikeAny's `word_start`) that find a word beginning like `word` typed with one letter
    wrong, missing or extra, or two neighbours swapped. The first letter is taken to be right, as spelling
    checkers do: a pattern free to change it ("_amer" for "jamer") finds unrelated words ("camera")."""
    letters = [_escape_like(letter) for letter in word]
    variants = set()
    for i in range(1, len(letters)):
        variants.add("".join([*letters[:i], "_", *letters[i + 1 :]]))  # a wrong letter at i
        variants.add("".join(letters[:i] + letters[i + 1 :]))  # an extra letter typed at i
        variants.add("".join([*letters[:i], "_", *letters[i:]]))  # a letter left out before i
        if i >= 2:
            variants.add("".join([*letters[: i - 1], letters[i], letters[i - 1], *letters[i + 1 :]]))  # swap
    variants.discard("".join(letters))
    return sorted(f"% {variant}%" for variant in variants)


def _search_fallback(queryset: QuerySet, words: list[str]) -> QuerySet:
    # A flat `a || ' ' || b …`: Concat nests a pair per part, which compiles several times slower.
    context = Func(
        *(Coalesce(F(field), Value("")) for field in CONTEXT_FIELDS),
        template="(%(expressions)s)",
        arg_joiner=" || ' ' || ",
        output_field=TextField(),
    )
    queryset = queryset.alias(search_context=context)
    matches = Q()
    rank = Value(0.0, output_field=FloatField())
    typo_words = 0
    for word in words:
        contains = [f"%{_escape_like(fold_plural(word))}%"]
        weighted = [(weight, LikeAny(field, contains)) for field, weight in FIELD_WEIGHTS]
        if word.isalpha() and TYPO_MIN_LENGTH <= len(word) <= TYPO_MAX_LENGTH and typo_words < TYPO_MAX_WORDS:
            typo_words += 1
            patterns = typo_patterns(word)
            weighted += [
                (weight, LikeAny(field, patterns, word_start=True)) for field, weight in TYPO_FIELD_WEIGHTS
            ]
        weighted.sort(key=lambda pair: -pair[0])  # Case takes the first When that holds: the heaviest
        matches &= reduce(or_, (Q(condition) for _weight, condition in weighted))
        rank += Case(
            *(When(condition, then=Value(weight)) for weight, condition in weighted),
            default=Value(0.0),
            output_field=FloatField(),
        )
    rank += name_prefix_bonus(words, NAME_PREFIX_BONUS)
    return queryset.filter(matches).annotate(rank=rank)


def suggest_products(queryset: QuerySet, query: str, limit: int = 8) -> list[dict]:
    """Up to `limit` {"name", "slug"} of the products of `queryset` whose names match what is being typed.

    Names starting with the text come first, then names with a word starting with it, then names containing
    it; on PostgreSQL also names similar to it by trigrams (a typo), closest first. One query, bounded by
    `limit` (at most SUGGEST_MAX_LIMIT); fewer than SUGGEST_MIN_LENGTH characters suggest nothing. Visibility
    is the caller's: pass the queryset the user may see.
    """
    typed = " ".join(query[:MAX_QUERY_LENGTH].split())
    text = "".join(character for character in typed if character.isprintable())
    if len(text) < SUGGEST_MIN_LENGTH:
        return []
    limit = max(1, min(int(limit), SUGGEST_MAX_LIMIT))
    score = Case(
        When(name__istartswith=text, then=Value(3)),
        When(Q(name__icontains=f" {text}") | Q(name__icontains=f"-{text}"), then=Value(2)),
        When(name__icontains=text, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    candidates = queryset.prefetch_related(None).annotate(suggestion_score=score)
    found = Q(suggestion_score__gt=0)
    ordering = ["-suggestion_score", "name", "pk"]
    if is_postgresql(queryset) and len(text) >= TRIGRAM_MIN_LENGTH:
        candidates = candidates.annotate(suggestion_similarity=TrigramWordSimilarity(text, "name"))
        found |= Q(TrigramWordMatch(text, "name"))
        ordering = ["-suggestion_score", "-suggestion_similarity", "name", "pk"]
    return list(candidates.filter(found).order_by(*ordering).values("name", "slug")[:limit])
