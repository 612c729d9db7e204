# ruff: noqa: RUF001 (Ukrainian letters, which look like Latin ones, are this module's business)
"""Words, as the catalogue's search reads them: the same rules for a query, for the vocabulary kept for typo
correction, and on both databases.
"""

import re

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
# Common Ukrainian function words (conjunctions, prepositions, particles, pronouns): no stemmer's list exists
# for PostgreSQL, so queries drop these on both databases, as they drop the English ones.
_UKRAINIAN_STOP_WORDS = """
    і й та а але або чи що як де коли який яка яке які це цей ця ці той та те ті в у з із зі до на над під по
    при про для від без через між за о об біля після перед же ж б би не ні так теж також лише тільки ще вже
    він вона воно вони ми ви я ти його її їх їм нам вам мене тебе свій своя своє свої є був була було були
"""
UKRAINIAN_STOP_WORDS = frozenset(_UKRAINIAN_STOP_WORDS.split())
STOP_WORDS = ENGLISH_STOP_WORDS | UKRAINIAN_STOP_WORDS

# Ukrainian in Latin letters, the national system (Cabinet of Ministers resolution 55 of 2010), letter by
# letter as within a word: the search documents hold this spelling of their Ukrainian text, and a Cyrillic
# query word is also looked for this way. Apostrophes and the soft sign are dropped; the few Russian letters
# get their usual spelling, so that a pasted Russian word still finds something.
TRANSLITERATION = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ы": "y", "э": "e", "ё": "io", "ъ": "",
    "'": "", "\u2019": "", "\u02bc": "",
}  # fmt: skip
# At the start of a word the system writes these letters otherwise (Ярослав → Yaroslav, Їжак → Yizhak).
WORD_INITIAL_TRANSLITERATION = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# …and the reverse, for a Latin query word: its letter-by-letter spelling, the one the documents hold.
_INITIAL_LATIN = re.compile(r"^y(?=[aeou])")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Common Ukrainian inflectional endings, longest first: a Cyrillic query word is looked for as the rest of it,
# a prefix ("дронів" → "дрон…" finds "дрон", "дрони", "дронами"). No stemmer for Ukrainian exists in either
# database; a prefix of at least PREFIX_MIN_LENGTH letters is what both answer from their full-text index.
_ENDINGS = """
    ями ами ові еві ого ому ими ій ів ах ях ам ям ою ею ом ем им их ий ої ує ють ать ять іть
    а я о е и і у ю ь й є ї
"""
UKRAINIAN_ENDINGS = sorted(set(_ENDINGS.split()), key=len, reverse=True)
PREFIX_MIN_LENGTH = 4

# Typo correction: words this long are corrected by one edit (a letter wrong, missing, extra, or two
# neighbours swapped), longer ones by two. Shorter words have too many neighbours to guess from.
TYPO_MIN_LENGTH, TWO_TYPOS_MIN_LENGTH = 5, 9
VOCABULARY_MAX_LENGTH = 64


def words_in(text: str) -> list[str]:
    """The lower-cased words of a text, in order, repeats and stop words included."""
    return WORD.findall(text.lower())


def vocabulary_words(*texts: str) -> set[str]:
    """The words of these texts that typo correction can lead to: alphabetic (in any script), long enough to
    be corrected, not stop words."""
    return {
        word
        for text in texts
        if text
        for word in words_in(text)
        if word.isalpha()
        and TYPO_MIN_LENGTH - 1 <= len(word) <= VOCABULARY_MAX_LENGTH
        and word not in STOP_WORDS
    }


def allowed_typos(word: str) -> int:
    """How many edits a word may be away from what was meant: 0 for short words, numbers and codes."""
    if not word.isalpha() or len(word) < TYPO_MIN_LENGTH:
        return 0
    return 2 if len(word) >= TWO_TYPOS_MIN_LENGTH else 1


def edit_distance(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance between two words (insertions, deletions, substitutions and
    swaps of neighbours), or limit + 1 as soon as it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous, previous = None, list(range(len(b) + 1))
    for i, letter in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, start=1):
            cost = letter != other
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and letter == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return min(previous[-1], limit + 1)


def is_cyrillic(word: str) -> bool:
    return bool(CYRILLIC.search(word))


def transliterate(text: str) -> str:
    """Cyrillic letters in Latin ones, letter by letter as within a word, lower-cased: "Жало" → "zhalo". What
    the search documents hold besides their Ukrainian text."""
    return "".join(TRANSLITERATION.get(letter, letter) for letter in text.lower())


def prefix_stem(word: str) -> str | None:
    """For a Cyrillic word of PREFIX_MIN_LENGTH letters or more, what is looked for as a prefix: the word
    without its ending, keeping at least PREFIX_MIN_LENGTH letters. None for other words (looked for as
    typed)."""
    if not (word.isalpha() and is_cyrillic(word) and len(word) >= PREFIX_MIN_LENGTH):
        return None
    for ending in UKRAINIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= PREFIX_MIN_LENGTH:
            return word[: -len(ending)]
    return word


def other_spellings(word: str) -> tuple[str, ...]:
    """A lower-cased word's spellings in the other script. For a Cyrillic word its Latin letters, as the
    documents hold them and as the national system writes the word ("ярослав" → "iaroslav", "yaroslav";
    "згурівка" → "zhurivka", "zghurivka"). For a Latin word written the national system's way, the
    documents' spelling ("yaroslav" → "iaroslav", "yizhak" → "izhak", "zghurivka" → "zhurivka")."""
    if is_cyrillic(word):
        official = word.replace("зг", "zgh")
        official = WORD_INITIAL_TRANSLITERATION.get(official[0], official[0]) + official[1:]
        spellings = (transliterate(word), transliterate(official))
    else:
        latin = "i" + word[2:] if word.startswith("yi") else _INITIAL_LATIN.sub("i", word)
        spellings = (latin.replace("zgh", "zh"),)
    return tuple(dict.fromkeys(spelling for spelling in spellings if spelling != word))
