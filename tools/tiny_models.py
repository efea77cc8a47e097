"""Build small, randomly initialised extractive-QA models and their tokenizers, offline.

Why: the engine must reproduce the transformers question-answering pipeline exactly, and we
prove that against golden outputs of the real pipeline. That needs models we can build
without the hub, deterministically, in any environment (both the project venv and the
reference venv with transformers 5.2.0). A random model is enough: the comparison is about
windowing, span decoding and character offsets, not about answer quality.

What:
- `build_vocab` - a deterministic cased WordPiece vocabulary (special tokens, printable
  ASCII and its `##` forms, some accented Latin letters, a few CJK characters, common English
  words and sub-words), optionally padded with filler pieces to a requested size. Some
  characters are deliberately missing (e.g. `ø`, Greek, Cyrillic, emoji) so they become [UNK].
- `build_wordpiece_tokenizer` - a BERT-style fast tokenizer built with the `tokenizers`
  library from that vocabulary, wrapped in the transformers class of the architecture.
- `build_qa_model` / `save_random_qa_model` - a seeded random `DistilBertForQuestionAnswering`
  (or `BertForQuestionAnswering`, which uses token_type_ids), saved with `save_pretrained`
  so `AutoTokenizer` / `AutoModelForQuestionAnswering` load the folder.

Only APIs present in transformers 5.2 and later are used.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

Arch = Literal["distilbert", "bert"]

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS: tuple[str, ...] = (PAD, UNK, CLS, SEP, MASK)
MODEL_MAX_LENGTH = 512

# Accented Latin letters in the vocabulary. Deliberately absent, so they become [UNK]:
# "ø", "ł", "å", "œ", "ß"'s capital, Greek, Cyrillic, emoji.
ACCENTED_LETTERS = "àáâäãçèéêëìíîïñòóôöõùúûüýÿÀÁÂÄÇÈÉÊÑÓÖÜß"
# CJK ideographs in the vocabulary; BERT splits every ideograph into its own word.
CJK_CHARACTERS = "中国日本人大学北京東語文山水"
# Combining acute accent: present (alone and as `##`), so "e\u0301" tokenizes without [UNK].
# The combining diaeresis U+0308 is absent on purpose.
COMBINING_MARKS = "\u0301"

COMMON_WORDS: tuple[str, ...] = tuple(
    """
    the of and to in a is that for it as was with be by on not he I this are or his from at
    which but have an they you were her she there been one all we their has would when if so
    no will more can who its out about into than them only other some time new could these
    two may first then do any like my now over such our man me even most made after also did
    many before must through back years where much your way well down should because each
    just those people how too little state good very make world still own see men work long
    get here between both life being under never day same another know while last might us
    great old year off come since against go came right used take three
    The A In It He She We They This That There What Who When Where Why How Which Is Are Was
    river city town village mountain lake forest bridge road station market school library
    museum castle harbour island valley north south east west king queen army war peace
    company bank money price water fire stone iron gold silver paper book letter name
    number family house garden door window table chair music song film play game team
    match season league player coach captain ship train car plane engine power energy light
    sound colour red green blue black white small large big high low early late young
    built founded opened closed named called known found became wrote written born died
    lived moved won lost began ended started finished according during until although
    however because between among around along across near inside outside above below
    January February March April May June July August September October November December
    Monday Friday Sunday century decade history science language English French German
    Paris London Berlin Rome Tokyo Madrid Vienna Cairo Oslo Lisbon Europe Asia Africa
    America Alice Bob Carol David Emma Frank Grace Henry Maria Peter Anna John
    """.split()
)

SUBWORDS: tuple[str, ...] = tuple(
    """
    ##s ##es ##ed ##ing ##er ##ers ##est ##ly ##tion ##tions ##sion ##ment ##ments ##ness
    ##able ##ible ##al ##ial ##ity ##ous ##ive ##ful ##less ##ize ##ise ##ist ##ism ##ian
    ##ic ##ical ##y ##en ##an ##on ##in ##or ##ar ##ure ##age ##ance ##ence ##ant ##ent
    ##ary ##ory ##ship ##hood ##ward ##wards ##th ##st ##nd ##rd ##00 ##000 ##19 ##20
    un re in dis pre over under inter trans sub super anti non co de ex
    """.split()
)


def _filler_pieces() -> Iterator[str]:
    """Yield letter combinations (and their `##` forms), shortest first, forever enough."""
    for length in itertools.count(2):
        for letters in itertools.product(string.ascii_lowercase, repeat=length):
            piece = "".join(letters)
            yield piece
            yield "##" + piece


def base_vocab(words: Sequence[str] = COMMON_WORDS) -> list[str]:
    """The deterministic vocabulary before padding: specials, characters, words, sub-words."""
    characters = [c for c in string.printable if not c.isspace()]
    characters += list(ACCENTED_LETTERS) + list(COMBINING_MARKS)
    pieces: list[str] = list(SPECIAL_TOKENS)
    pieces += characters
    pieces += ["##" + c for c in characters]
    pieces += list(CJK_CHARACTERS)
    pieces += list(words) + list(SUBWORDS)
    return list(dict.fromkeys(pieces))  # de-duplicate, keep first occurrence order


def build_vocab(vocab_size: int | None = None, *, words: Sequence[str] = COMMON_WORDS) -> list[str]:
    """`base_vocab(words)`, padded with deterministic filler pieces to `vocab_size` tokens."""
    vocab = base_vocab(words)
    if vocab_size is None:
        return vocab
    if vocab_size < len(vocab):
        raise ValueError(f"vocab_size {vocab_size} is below the base vocabulary ({len(vocab)})")
    return extend_vocab(vocab, _filler_pieces(), vocab_size)


def extend_vocab(vocab: list[str], pieces: Iterable[str], size: int) -> list[str]:
    """Append the `pieces` not yet in `vocab`, in order, until it holds `size` tokens."""
    seen = set(vocab)
    for piece in pieces:
        if len(vocab) >= size:
            break
        if piece not in seen:
            seen.add(piece)
            vocab.append(piece)
    return vocab


def _resolve_vocab(vocab: int | Sequence[str] | None) -> list[str]:
    """`None`: the base vocabulary; an int: padded to that size; a sequence: used as is."""
    if vocab is None or isinstance(vocab, int):
        return build_vocab(vocab)
    pieces = list(vocab)
    missing = [token for token in SPECIAL_TOKENS if token not in pieces]
    if missing:
        raise ValueError(f"vocabulary lacks the special tokens {missing}")
    if len(set(pieces)) != len(pieces):
        raise ValueError("vocabulary has duplicate entries")
    return pieces


def build_backend_tokenizer(vocab: Sequence[str]) -> Any:
    """A `tokenizers.Tokenizer`: cased BERT normalizer, BERT pre-tokenizer, WordPiece."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    ids = {token: index for index, token in enumerate(vocab)}
    tokenizer = Tokenizer(WordPiece(ids, unk_token=UNK, max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{CLS}:0 $A:0 {SEP}:0",
        pair=f"{CLS}:0 $A:0 {SEP}:0 $B:1 {SEP}:1",
        special_tokens=[(CLS, ids[CLS]), (SEP, ids[SEP])],
    )
    tokenizer.add_special_tokens(list(SPECIAL_TOKENS))
    return tokenizer


def _tokenizer_class(arch: Arch) -> Any:
    import transformers

    names = {"distilbert": "DistilBertTokenizer", "bert": "BertTokenizer"}
    if arch not in names:
        raise ValueError(f"unknown arch {arch!r}; expected one of {sorted(names)}")
    return getattr(transformers, names[arch])


def build_wordpiece_tokenizer(
    folder: str | Path | None = None,
    *,
    arch: Arch = "distilbert",
    vocab: int | Sequence[str] | None = None,
) -> Any:
    """Build the fast tokenizer (and `save_pretrained` it into `folder` when given).

    `vocab`: `None` for the base vocabulary, an int to pad it to that size, or the full
    list of pieces (which must contain the special tokens).
    """
    pieces = _resolve_vocab(vocab)
    backend = build_backend_tokenizer(pieces)
    tokenizer = _tokenizer_class(arch)(
        vocab={token: index for index, token in enumerate(pieces)},
        tokenizer_object=backend,
        do_lower_case=False,
        strip_accents=False,
        tokenize_chinese_chars=True,
        model_max_length=MODEL_MAX_LENGTH,
        padding_side="right",
        truncation_side="right",
    )
    if folder is not None:
        tokenizer.save_pretrained(str(folder))
    return tokenizer


def build_qa_model(
    *,
    arch: Arch = "distilbert",
    vocab_size: int,
    seed: int = 0,
    dim: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    initializer_range: float = 0.3,
    max_position_embeddings: int = MODEL_MAX_LENGTH,
) -> Any:
    """A randomly initialised QA model (eval mode), seeded with `torch.manual_seed(seed)`."""
    import torch
    import transformers

    if arch == "distilbert":
        config = transformers.DistilBertConfig(
            vocab_size=vocab_size,
            dim=dim,
            n_layers=layers,
            n_heads=heads,
            hidden_dim=ffn,
            max_position_embeddings=max_position_embeddings,
            initializer_range=initializer_range,
            pad_token_id=0,
        )
        model_class = transformers.DistilBertForQuestionAnswering
    elif arch == "bert":
        config = transformers.BertConfig(
            vocab_size=vocab_size,
            hidden_size=dim,
            num_hidden_layers=layers,
            num_attention_heads=heads,
            intermediate_size=ffn,
            max_position_embeddings=max_position_embeddings,
            type_vocab_size=2,
            initializer_range=initializer_range,
            pad_token_id=0,
        )
        model_class = transformers.BertForQuestionAnswering
    else:
        raise ValueError(f"unknown arch {arch!r}; expected 'distilbert' or 'bert'")
    torch.manual_seed(seed)
    model = model_class(config)
    model.eval()
    return model


def save_random_qa_model(
    folder: str | Path,
    *,
    arch: Arch = "distilbert",
    seed: int = 0,
    dim: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    vocab: int | Sequence[str] | None = None,
    initializer_range: float = 0.3,
) -> Path:
    """Save a random QA model and its tokenizer into `folder`; return the folder.

    For the real DistilBERT shape (benchmarks) pass `**DISTILBERT_BASE_SHAPE`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_wordpiece_tokenizer(folder, arch=arch, vocab=vocab)
    model = build_qa_model(
        arch=arch,
        vocab_size=len(tokenizer.get_vocab()),
        seed=seed,
        dim=dim,
        layers=layers,
        heads=heads,
        ffn=ffn,
        initializer_range=initializer_range,
    )
    model.save_pretrained(str(folder))
    return folder


# distilbert-base-cased: hidden 768, 6 layers, 12 heads, FFN 3072, 28,996 word pieces.
DISTILBERT_BASE_SHAPE: dict[str, int] = {
    "dim": 768,
    "layers": 6,
    "heads": 12,
    "ffn": 3072,
    "vocab": 28996,
}
