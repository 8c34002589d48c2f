"""Names that are no one's in the letter: public and fictional figures, adjectives after degree.

Round 9 (the seventh writer's clean sentences): 林黛玉和贾宝玉是《红楼梦》的主人公 and 张謇是近代
著名的实业家 speak of figures everyone may name; 处理得不够廉正 has an adjective that the segmenter
tags as a name after a degree adverb.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# What a sentence says a public, historical or fictional figure is (…是《红楼梦》的主人公).
_FIGURE = (
    r"主人公|主角|人物|角色|作家|诗人|词人|文学家|实业家|科学家|思想家|政治家|军事家|艺术家|"
    r"画家|书法家|音乐家|哲学家|革命家|教育家|数学家|物理学家|化学家|皇帝|帝王|将军|英雄|名人|伟人"
)
_PUBLIC_PREDICATE = re.compile(rf"^[^。！？!?；;\n]*?是[^。！？!?；;\n，,]{{0,14}}(?:{_FIGURE})")
# Words of the letter's own people: a sentence with them may be about someone real and near.
_NEAR = re.compile(r"我|咱|你|您|同学|室友|老师|辅导员|舍友|师兄|师姐|学长|学姐|导师")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# Degree adverbs: what follows one directly is a quality (不够廉正, 很温和), no one's name.
_DEGREE = ("不够", "不太", "非常", "十分", "比较", "特别", "极其", "相当", "更加", "很", "太", "挺")


def _sentences_with(name: str, text: str) -> list[str]:
    """The sentences of `text` that hold `name`, each from its start."""
    out = []
    for m in re.finditer(re.escape(name), text):
        starts = [e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())]
        start = starts[-1] if starts else 0
        end_m = _SENTENCE_END.search(text, m.end())
        out.append(text[start : end_m.start() if end_m else len(text)])
    return out


def public_figure(name: str, text: str) -> bool:
    """Whether every sentence naming `name` says, before anything near, that the name is a
    public, historical or fictional figure: `name` … 是 … 实业家/主人公 (张謇是近代著名的实业家)."""
    sentences = _sentences_with(name, text)
    if not sentences:
        return False
    for sentence in sentences:
        head, sep, _ = sentence.partition("是")
        if not sep or name not in head or _NEAR.search(sentence):
            return False
        if not _PUBLIC_PREDICATE.search(sentence):
            return False
    return True


def after_degree(name: str, text: str, known: Callable[[str], bool]) -> bool:
    """Whether `name` is a dictionary word of two characters that stands after a degree adverb
    wherever it occurs (处理得不够廉正): a quality, not a person."""
    if len(name) != 2 or not known(name):
        return False
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    return bool(spots) and all(text[:s].endswith(_DEGREE) for s in spots)


def drop_public(names: set[str], text: str, known: Callable[[str], bool] | None) -> set[str]:
    """`names` without public figures and qualities after a degree adverb (see above)."""
    if known is None:
        return names
    return {n for n in names if not public_figure(n, text) and not after_degree(n, text, known)}
