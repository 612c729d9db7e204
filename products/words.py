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
        and word not in ENGLISH_STOP_WORDS
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
