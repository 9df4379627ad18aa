"""Text helpers: search normalisation and input hygiene."""

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Letters that NFKD does not decompose into a base letter + accent.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th"})
# Letters and digits of every script are kept (Arabic, Cyrillic, Chinese names are searched too).
_NON_WORD = re.compile(r"[\W_]+")


def normalize(value: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for search.

    "Éloïse  Nguyễn-Lê" -> "eloise nguyen le".
    """
    value = unicodedata.normalize("NFKD", value or "").casefold().translate(_SPECIAL)
    value = "".join(c for c in value if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", value).strip()


_TAG = re.compile(r"<\s*[a-zA-Z!/?]")


def reject_markup(value: str) -> None:
    """Refuse HTML or script in free text: it has no place in a patient file."""
    if isinstance(value, str) and (_TAG.search(value) or "javascript:" in value.lower()):
        raise ValidationError(_("HTML tags and scripts are not allowed in this field."), code="markup")


# --- Name matching: keys stored with each patient, and the similarity that ranks them --------------
# Names at the PASS are transcribed by ear, from another script, in several spellings: the keys
# below make those spellings meet (see docs/performance.md, "Patient search").

# Cyrillic and Greek letters to Latin, as a French agent would write them (after normalize():
# lower case, diacritics such as the breve of "й" or the diaeresis of "ї" already removed).
_TRANSLITERATION = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "j",
        "з": "z", "и": "i", "і": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "tch",
        "ш": "ch", "щ": "chtch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
        "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
        "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "kh", "ψ": "ps", "ω": "o",
    }
)  # fmt: skip
# Spelling variants of one sound, in order (the sound of "ch"/"sh" becomes "$").
_SOUNDS = [
    ("x", "ks"),
    ("sch", "$"),
    ("tch", "$"),
    ("tsh", "$"),
    ("ch", "$"),
    ("sh", "$"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("ph", "f"),
    ("ck", "k"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
]
_SOFT_C = re.compile(r"c(?=[eiy])")
_INNER_H = re.compile(r"(?<=.)h")
_DOUBLE = re.compile(r"(.)\1+")
_VOWEL_RUN = re.compile(r"[aeiou]+")
_VOWELS = frozenset("aeiou")
_LATIN = re.compile(r"^[a-z$]+$")
# Below this similarity a typed word matches no registered word (see spelling_similarity).
WORD_FLOOR = 0.7


@functools.lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """The sound of a normalised name word, French-style: "Mouhammed" and "Muhamed" -> "muamed".

    ph/f, ck/k, q/k, c/k/s, y/i, w/v, ou/oo/u, ai/ei/e, au/eau/o, dj/j, ch/sh/sch/tch, kh/k,
    th/t, silent inner h and final e, doubled letters. Cyrillic and Greek are transliterated first.
    Words in other scripts (Arabic, Chinese…) come back unchanged.
    """
    word = word.translate(_TRANSLITERATION)
    if not _LATIN.match(word.replace("$", "")) or not word:
        return word
    for old, new in _SOUNDS:
        word = word.replace(old, new)
    word = _SOFT_C.sub("s", word).replace("c", "k")
    for old, new in (("eau", "o"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ai", "e"), ("ei", "e"), ("au", "o")):
        word = word.replace(old, new)
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    # After the vowel pairs: "Shahid" keeps its two vowels ("$aid"), it does not become "$ed".
    word = _INNER_H.sub("", word)
    return _DOUBLE.sub(r"\1", word)


def vowel_key(word: str) -> str:
    """The skeleton with every run of vowels made alike: "Fatoumata" and "Fatimata" meet."""
    return "~" + _VOWEL_RUN.sub("a", skeleton(word))


def deletions(key: str) -> set[str]:
    """The key with one letter removed, each way (symmetric-delete neighbourhood): two keys one
    typing error apart (a letter missing, extra, replaced or two letters swapped) share one."""
    if len(key) < 4:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def name_keys(spellings: list[str], *, with_deletions: bool = True) -> list[str]:
    """Index keys of a person's spellings (names, aliases): each word's skeleton, its vowel key
    and its one-error neighbourhood, and two neighbouring words written as one ("Abdel Kader"
    -> "abdelkader") so that joined and split names meet."""
    keys: set[str] = set()
    for spelling in spellings:
        words = normalize(spelling).split()
        for word in words:
            key = skeleton(word)
            keys.add(key)
            keys.add(vowel_key(word))
            if with_deletions:
                keys |= deletions(key)
        # Two words as one: its sound only (a typing error in a joined name is rare enough).
        keys |= {skeleton(a + b) for a, b in zip(words, words[1:], strict=False)}
    keys.discard("")
    keys.discard("~")
    return sorted(keys)


def _substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a in _VOWELS and b in _VOWELS:
        return 0.6
    # w is written for v (Jawad / Javad) and for ou (Wattara / Ouattara).
    return 0.5 if {a, b} == {"u", "v"} else 1.0


def _distance(a: str, b: str) -> float:
    """Damerau-Levenshtein (adjacent swaps), a vowel for another vowel costing less."""
    previous2: list[float] = []
    previous = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        current = [float(i)] + [0.0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + _substitution_cost(ca, cb),
            )
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=262144)
def word_similarity(typed: str, registered: str, prefix: bool = False) -> float:
    """How alike two normalised name words are, 0..1: 1 the same, 0.95 the same sound, then
    less for each typing error; with `prefix`, a typed beginning of the word scores 0.9."""
    if typed == registered:
        return 1.0
    if prefix and len(typed) >= 3 and registered.startswith(typed):
        return 0.9
    a, b = skeleton(typed), skeleton(registered)
    if a == b:
        return 0.95
    if not a or not b:
        return 0.0
    longest = max(len(a), len(b))
    score = 1 - _distance(a, b) / longest
    # One error in a short word changes most of it: "Kane" is not "Kone", "Ba" not "Sy".
    if longest <= 4:
        score -= 0.15
    return max(score, 0.0)


def spelling_similarity(typed: list[str], registered: list[str], *, prefix: bool = False) -> float:
    """How well the typed words match one registered spelling (list of normalised words), 0..1.

    Each typed word takes its best registered word, in any order (swapped first and last names);
    two neighbouring words may be written as one on either side ("Da Silva" / "Dasilva").
    The mean over the typed words is returned.
    """
    if not typed or not registered:
        return 0.0
    units = registered + ["".join(pair) for pair in zip(registered, registered[1:], strict=False)]
    scores = [max(word_similarity(word, unit, prefix) for unit in units) for word in typed]
    for i in range(len(typed) - 1):
        joined = typed[i] + typed[i + 1]
        best = max(word_similarity(joined, word) for word in registered)
        # Only a join that sounds the same counts: a long string hides a wrong word in its length.
        if best >= 0.95 and best > min(scores[i], scores[i + 1]):
            scores[i] = max(scores[i], best)
            scores[i + 1] = max(scores[i + 1], best)
    mean = sum(scores) / len(scores)
    # A typed word far from every registered word is another person ("Kone Moussa" is not
    # "Kane Moussa"): the spelling cannot score as a match however well the others fit.
    if min(scores) < WORD_FLOOR:
        return min(mean, WORD_FLOOR)
    return mean
