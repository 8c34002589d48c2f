"""Word-level helpers over a segmenter's tokens for the name finder (人名识别的分词辅助).

Offsets where words start and end, a transliterated name right after a word for a person, and a
Han name in brackets after a roman one. Pure functions over text and (word, tag) pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xinxiang.replies.name_words import ROLE_CUES, TITLES, WEAK_CUES

_HAN = "\u4e00-\u9fff"
_BRACKETED_ANY = re.compile(rf"\s?[（(]([{_HAN}]{{2,6}}(?:·[{_HAN}]{{2,6}})?)[）)]")


def bracketed_after(text: str, roman: Sequence[str]) -> list[str]:
    """The Han name in brackets right after a roman name found in `text`."""
    found = []
    for name in roman:
        for m in re.finditer(re.escape(name), text):
            if b := _BRACKETED_ANY.match(text, m.end()):
                found.append(b.group(1))
    return found


def transliterated(tokens: Sequence[tuple[str, str]]) -> list[str]:
    """A transliterated name right after a word for a person (学生阿卜杜拉, 留学生买买提江):
    nouns in a row, at least one tagged as a name, 3–6 Han characters in all."""
    run: list[tuple[str, str]] = []
    # Round 15: the cue may be two words (学生|代表|于波, 宿管|阿姨): the second is no name.
    while tokens and tokens[0][0] not in WEAK_CUES and tokens[0][0] in {*ROLE_CUES, *TITLES}:
        tokens = tokens[1:]
    for word, tag in tokens:
        if not (tag.startswith("n") and all("\u4e00" <= c <= "\u9fff" for c in word)):
            break
        run.append((word, tag))
    while run:
        name = "".join(w for w, _ in run)
        if 3 <= len(name) <= 6 and any(t.startswith("nr") for _, t in run):
            return [name]
        run.pop()
    return []


def word_ends(text: str, tokens: Sequence[tuple[str, str]] | None) -> set[int] | None:
    """Offsets where the segmenter ends a word (None without a segmenter)."""
    if tokens is None:
        return None
    ends, pos = {len(text)}, 0
    for word, _ in tokens:
        pos += len(word)
        ends.add(pos)
    return ends


def word_starts(tokens: Sequence[tuple[str, str]] | None) -> dict[int, tuple[str, str]]:
    """The segmenter's word and tag at each offset where a word starts."""
    starts, pos = {}, 0
    for word, tag in tokens or ():
        starts[pos] = (word, tag)
        pos += len(word)
    return starts
