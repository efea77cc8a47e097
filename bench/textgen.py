"""Deterministic benchmark texts made of words the benchmark tokenizer knows.

The random benchmark model's WordPiece vocabulary (tools/tiny_models.py) holds a few
hundred whole English words plus letter-combination pieces. Texts built only from whole
words would be one token per word, unrealistically short; texts of random letters would
be many tokens per word. So the lexicon mixes the vocabulary's whole words with made-up
words that split into exactly two pieces, names, and the odd number, in proportions that
give about 1.3 tokens per word (punctuation included), like English prose under a cased
BERT tokenizer. `tokens_per_word` measures it; run.py prints the measured value.

Everything is seeded: the same seed gives the same texts on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa_engine.retrieval import STOPWORDS
from tools.tiny_models import COMMON_WORDS

CONSONANTS = "bcdfghklmnprstvz"
VOWELS = "aeiou"
QUESTION_OPENERS = ("What", "Who", "When", "Where", "Which", "How")
GLUE = ("the", "of", "in", "and", "to", "was", "with", "for", "on", "at", "by", "from", "a")

Tokenize = Callable[[str], Sequence[int]]


@dataclass(frozen=True)
class Lexicon:
    words: tuple[str, ...]  # whole-vocabulary words (one token each)
    coined: tuple[str, ...]  # made-up words of two word pieces
    names: tuple[str, ...]  # capitalised made-up names


def build_lexicon(count_tokens: Callable[[str], int], *, seed: int = 7) -> Lexicon:
    """Pick whole words and coin two-piece words, checking each against the tokenizer."""
    rng = random.Random(seed)
    words = tuple(w for w in COMMON_WORDS if w.islower() and count_tokens(w) == 1)
    coined: list[str] = []
    names: list[str] = []
    seen: set[str] = set()
    while len(coined) < 600 or len(names) < 120:
        if len(seen) > 200_000:
            raise ValueError("this tokenizer's vocabulary cannot make two-piece words")
        syllables = rng.randint(2, 4)
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
        if rng.random() < 0.3:
            word += rng.choice("nrst")
        if word in seen:
            continue
        seen.add(word)
        if len(coined) < 600 and count_tokens(word) == 2:
            coined.append(word)
        elif len(names) < 120 and count_tokens(word.capitalize()) == 2:
            names.append(word.capitalize())
    return Lexicon(words, tuple(coined), tuple(names))


class TextGenerator:
    """Sentences, documents and questions from a lexicon; one `random.Random` per call site."""

    def __init__(self, lexicon: Lexicon, *, coined_share: float = 0.09, name_share: float = 0.05):
        self.lexicon = lexicon
        self.coined_share = coined_share
        self.name_share = name_share
        self.content_words = tuple(w for w in lexicon.words if w not in STOPWORDS)

    def _word(self, rng: random.Random) -> str:
        draw = rng.random()
        if draw < self.name_share:
            return rng.choice(self.lexicon.names)
        if draw < self.name_share + self.coined_share:
            return rng.choice(self.lexicon.coined)
        if draw < self.name_share + self.coined_share + 0.01:
            return str(rng.choice((rng.randint(2, 99), rng.randint(1800, 2030))))
        if draw < 0.55:
            return rng.choice(GLUE)
        return rng.choice(self.lexicon.words)

    def sentence(self, rng: random.Random) -> str:
        length = rng.randint(8, 22)
        words = [self._word(rng) for _ in range(length)]
        if rng.random() < 0.4:
            words[rng.randint(2, length - 2)] += ","
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + "."

    def text(self, rng: random.Random, words: int) -> str:
        """Sentences (in paragraphs of 3-6) until about `words` words."""
        paragraphs: list[str] = []
        total = 0
        while total < words:
            sentences = []
            for _ in range(rng.randint(3, 6)):
                sentence = self.sentence(rng)
                sentences.append(sentence)
                total += len(sentence.split())
                if total >= words:
                    break
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs)

    def question_about(self, rng: random.Random, text: str) -> str:
        """An 8-10 word question sharing 3-4 content words with one sentence of `text`."""
        sentences = [s for s in text.replace("\n", " ").split(". ") if len(s.split()) >= 8]
        sentence = rng.choice(sentences) if sentences else text
        content = [
            w.strip(",.")
            for w in sentence.split()[1:]  # the first word is capitalised
            if w.strip(",.").lower() not in STOPWORDS and not w.strip(",.").isdigit()
        ]
        content = list(dict.fromkeys(content)) or list(self.content_words[:4])
        picked = rng.sample(content, min(len(content), rng.randint(3, 4)))
        while len(picked) < 3:
            picked.append(rng.choice(self.content_words))
        opener = rng.choice(QUESTION_OPENERS)
        words = [opener, "did", "the", picked[0], picked[1], "do", "in", "the", *picked[2:]]
        return " ".join(words[:10]) + "?"


def tokens_per_word(count_tokens: Callable[[str], int], texts: Sequence[str]) -> float:
    tokens = sum(count_tokens(t) for t in texts)
    words = sum(len(t.split()) for t in texts)
    return tokens / max(1, words)
