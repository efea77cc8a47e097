"""Load any extractive QA model the standard way, once, with a clear error when it can't be.

`AutoTokenizer` + `AutoModelForQuestionAnswering` from a hub id or a local folder. Where
the hub is reachable, the hub's own progress bars show the download.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa_engine.quantizing import quantize_int8

logger = logging.getLogger(__name__)


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message is one line a user can act on."""


@dataclass(frozen=True)
class LoadedModel:
    name: str
    tokenizer: Any
    model: Any


_cache: dict[tuple[str, str], LoadedModel] = {}
_cache_lock = threading.Lock()
# Tokenizers are cached apart, under their own lock: they load in well under a second, so
# documents can be split while the (much slower) model is still loading or downloading.
_tokenizers: dict[str, Any] = {}
_tokenizers_lock = threading.Lock()
# transformers resolves its names lazily; two threads importing from it for the first time
# at once can see a half-initialised module ("cannot import name 'AutoTokenizer'").
_import_lock = threading.Lock()


def load_qa_model(name: str, *, threads: int = 0, dtype: str = "float32") -> LoadedModel:
    """Return the tokenizer and model for `name`, loading them on first use only (once per
    name and `dtype`, "float32", "bfloat16" or "int8").

    `threads` (when not 0) sets torch's intra-op thread count on every call, cached or not:
    it is one setting for the whole process, so the engine created last decides.
    """
    if threads:
        import torch

        torch.set_num_threads(threads)
    with _cache_lock:
        if (name, dtype) not in _cache:
            _cache[(name, dtype)] = _load(name, dtype)
        return _cache[(name, dtype)]


def load_qa_tokenizer(name: str) -> Any:
    """Return the fast tokenizer for `name` (without loading the model), once per name."""
    with _tokenizers_lock:
        if name not in _tokenizers:
            _tokenizers[name] = _load_tokenizer(name)
        return _tokenizers[name]


def _load(name: str, dtype: str = "float32") -> LoadedModel:
    import torch

    with _import_lock:
        from transformers import AutoModelForQuestionAnswering

    tokenizer = load_qa_tokenizer(name)
    source = _source(name)
    logger.info("loading QA model %s (%s)", source, dtype)
    if dtype == "bfloat16" and not _native_bf16(torch):
        logger.warning(
            "QA_DTYPE=bfloat16 on a CPU without native bf16: reading will be slower than "
            "float32, not faster"
        )
    try:
        weights = torch.float32 if dtype == "int8" else getattr(torch, dtype)
        model = AutoModelForQuestionAnswering.from_pretrained(source, dtype=weights)
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(_explain(name, error)) from error
    model.eval()
    if dtype == "int8":
        model = quantize_int8(model)
    return LoadedModel(name=name, tokenizer=tokenizer, model=model)


def _load_tokenizer(name: str) -> Any:
    with _import_lock:
        from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(_source(name))
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(_explain(name, error)) from error
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(
            f"QA model {name!r} has no fast tokenizer; qabot needs one for character "
            "offsets. Use a model that ships tokenizer.json."
        )
    return tokenizer


def _native_bf16(torch: Any) -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a private check: absent means "don't know"
        return True


def _source(name: str) -> str:
    """What to hand `from_pretrained`: an expanded folder path, or the hub id as given."""
    looks_local = name.startswith((".", "/", "~")) or Path(name).expanduser().exists()
    if looks_local and not Path(name).expanduser().is_dir():
        raise ModelLoadError(
            f"QA model folder {name!r} does not exist. Set QA_MODEL to a folder holding a "
            "saved question-answering model, or to a Hugging Face hub id."
        )
    return str(Path(name).expanduser()) if looks_local else name


def _explain(name: str, error: Exception) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (
        f"Could not load QA model {name!r} ({first_line[:200]}). Set QA_MODEL to a local "
        "folder with a saved question-answering model, or to a hub id this machine can "
        "download (set HF_HUB_OFFLINE=1 to use only the local cache)."
    )
