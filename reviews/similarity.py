"""Which adopted recommendations say the same thing: the portal's suggestions of groups for
the synthesis, by text similarity.

Each text is cut into character trigrams (lower-cased, punctuation and spacing aside, words
padded with a space), weighted by TF-IDF over the texts compared in the same language, and
two texts are compared by the cosine of their vectors. Two recommendations are compared in a
language both can be read in (the original or a translation of their latest version), the
review's common language first (the one most of them can be read in); two that share no
language are not linked, whatever their originals say. Pairs at
or above ``THRESHOLD`` are linked, and the linked recommendations form a suggested group.
Pure Python and deterministic: the same texts always give the same groups in the same order.
"""

import math
import re
from collections import Counter
from collections.abc import Mapping

#: The cosine at or above which two texts count as saying the same thing. Chosen on the
#: consultations' own recommendations: one proposal reworded by another consultation scores
#: about 0.5 to 0.6 (the same words: 1.0), texts on other subjects of the same field (missing
#: migrants, landing, detention) 0.08 to 0.15.
THRESHOLD = 0.4

_NOT_A_LETTER = re.compile(r"[\W_]+")


def trigrams(text: str) -> Counter:
    words = _NOT_A_LETTER.sub(" ", text.casefold()).split()
    padded = f" {' '.join(words)} "
    return Counter(padded[index:index + 3] for index in range(len(padded) - 2))


def _weighted(counts: Mapping[int, Counter]) -> dict[int, dict[str, float]]:
    """TF-IDF vectors, normalised, of the texts of one language."""
    documents = len(counts)
    frequency = Counter(gram for grams in counts.values() for gram in grams)
    vectors = {}
    for key, grams in counts.items():
        vector = {gram: count * (1 + math.log((1 + documents) / (1 + frequency[gram])))
                  for gram, count in grams.items()}
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        vectors[key] = {gram: weight / norm for gram, weight in vector.items()}
    return vectors


def cosine(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second.get(gram, 0.0) for gram, weight in first.items())


def common_language(texts: Mapping[int, Mapping[str, str]], preferred: list[str]) -> str | None:
    """The language the most recommendations can be read in; ties go to ``preferred``'s order."""
    readable = Counter(locale for by_locale in texts.values() for locale in by_locale)
    if not readable:
        return None
    order = {locale: index for index, locale in enumerate(preferred)}
    return min(readable, key=lambda locale: (-readable[locale], order.get(locale, len(order)),
                                             locale))


def similarities(texts: Mapping[int, Mapping[str, str]],
                 preferred: list[str]) -> dict[tuple[int, int], float]:
    """The similarity of every pair of recommendations (ids in order), given each one's texts
    by language (its original and the translations there are)."""
    common = common_language(texts, preferred)
    order = ([common] if common else []) + [locale for locale in preferred if locale != common]
    vectors = {locale: _weighted({key: trigrams(by_locale[locale])
                                  for key, by_locale in texts.items() if locale in by_locale})
               for locale in {locale for by_locale in texts.values() for locale in by_locale}}
    keys = sorted(texts)
    scores = {}
    for index, first in enumerate(keys):
        for second in keys[index + 1:]:
            shared = [locale for locale in order if locale in texts[first]
                      and locale in texts[second]]
            scores[first, second] = cosine(vectors[shared[0]][first], vectors[shared[0]][second]) \
                if shared else 0.0
    return scores


def suggested_groups(texts: Mapping[int, Mapping[str, str]], preferred: list[str],
                     threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of two or more recommendation ids whose texts are linked by similarity at or
    above ``threshold``, each in id order, the groups by their first id."""
    parent = {key: key for key in texts}

    def root(key: int) -> int:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for (first, second), score in sorted(similarities(texts, preferred).items()):
        if score >= threshold:
            low, high = sorted((root(first), root(second)))
            parent[high] = low
    groups: dict[int, list[int]] = {}
    for key in sorted(texts):
        groups.setdefault(root(key), []).append(key)
    return [members for _first, members in sorted(groups.items()) if len(members) > 1]
