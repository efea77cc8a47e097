"""Load any extractive QA model the standard way, once, with a clear error when it can't be.

`AutoTokenizer` + `AutoModelForQuestionAnswering` from a hub id or a local folder. Where
the hub is reachable, the hub's own progress bars show the download.

A model that can't load fails fast, with one line that names the fix. Left to itself,
huggingface_hub retries a failed metadata request five times with backoff (1+2+4+8+8 s)
when the file isn't cached, once for the tokenizer and once for the model: about 50 s
before any error. So a hub id is resolved first (`_resolve`): offline mode or an
unreachable hub decides from the local cache at once, and one request without retries
(the hub's own HF_HUB_ETAG_TIMEOUT, 10 s by default) tells a reachable hub from an
unreachable one.
"""

from __future__ import annotations

import logging
import os
import re
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
    _check_local_folder(name)  # before importing torch: a typo fails at once
    if threads:
        import torch

        torch.set_num_threads(threads)
    with _cache_lock:
        if (name, dtype) not in _cache:
            _cache[(name, dtype)] = _load(name, dtype)
        return _cache[(name, dtype)]


def load_qa_tokenizer(name: str) -> Any:
    """Return the fast tokenizer for `name` (without loading the model), once per name."""
    _check_local_folder(name)
    with _tokenizers_lock:
        if name not in _tokenizers:
            _tokenizers[name] = _load_tokenizer(name)
        return _tokenizers[name]


def _load(name: str, dtype: str = "float32") -> LoadedModel:
    # Resolve before importing torch and transformers (seconds): a model that can't be
    # had fails without them.
    tokenizer = load_qa_tokenizer(name)
    source, local_only = _resolve(name)
    import torch

    with _import_lock:
        from transformers import AutoModelForQuestionAnswering

    logger.info("loading QA model %s (%s)", source, dtype)
    if dtype == "bfloat16" and not _native_bf16(torch):
        logger.warning(
            "QA_DTYPE=bfloat16 on a CPU without native bf16: reading will be slower than "
            "float32, not faster"
        )
    try:
        weights = torch.float32 if dtype == "int8" else getattr(torch, dtype)
        model = AutoModelForQuestionAnswering.from_pretrained(
            source, dtype=weights, local_files_only=local_only
        )
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(_explain(name, error)) from error
    model.eval()
    if dtype == "int8":
        model = quantize_int8(model)
    return LoadedModel(name=name, tokenizer=tokenizer, model=model)


def _load_tokenizer(name: str) -> Any:
    source, local_only = _resolve(name)
    with _import_lock:
        from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
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


# What the hub accepts as a repo id: "name" or "owner/name", letters, digits, "-_." only.
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def looks_local(name: str) -> bool:
    """Whether `name` is meant as a folder: it starts with "/", "./", "../" or "~", exists
    on disk, or is not shaped like a hub id (e.g. holds two path separators)."""
    return (
        name.startswith((".", "/", "~", os.sep))
        or Path(name).expanduser().exists()
        or not _HUB_ID.fullmatch(name)
    )


def _check_local_folder(name: str) -> None:
    if looks_local(name) and not Path(name).expanduser().is_dir():
        raise ModelLoadError(
            f"QA model folder {name!r} does not exist. Set QA_MODEL to a folder holding a "
            "saved question-answering model, or to a Hugging Face hub id."
        )


def _resolve(name: str) -> tuple[str, bool]:
    """(what to hand `from_pretrained`, whether it may use only local files).

    A folder is its expanded path. A hub id is checked first, so that a hub that can't
    be used fails now with the fix, not after huggingface_hub's retries (see above).
    """
    _check_local_folder(name)
    if looks_local(name):
        return str(Path(name).expanduser()), True
    from huggingface_hub import constants, try_to_load_from_cache

    cached = isinstance(try_to_load_from_cache(name, "config.json"), str)
    if constants.is_offline_mode():
        if cached:
            return name, True
        raise ModelLoadError(
            f"QA model {name!r} is not in the local Hugging Face cache, and offline mode "
            "(HF_HUB_OFFLINE) forbids downloading it. Download it once with "
            f"`hf download {name}` where the hub is reachable, or set QA_MODEL to a local "
            "model folder."
        )
    unreachable = _probe_hub(name)
    if unreachable is None:
        return name, False
    if cached:
        logger.warning("Hugging Face hub unreachable (%s); using the cached %s", unreachable, name)
        return name, True
    raise ModelLoadError(
        f"Could not reach the Hugging Face hub at {constants.ENDPOINT} to download QA model "
        f"{name!r} ({unreachable}). Allow this machine to reach it, download the model with "
        f"`hf download {name}` and copy the cache here, or set QA_MODEL to a local model folder."
    )


def _probe_hub(name: str) -> str | None:
    """None when the hub answers for `name`'s config.json; the network error otherwise.

    One request, no retries. Raises `ModelLoadError` when the hub answers that the
    model isn't there (or isn't ours to read): no retry could change that.
    """
    import httpx2
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
    )

    try:
        get_hf_file_metadata(
            hf_hub_url(name, "config.json"), timeout=constants.HF_HUB_ETAG_TIMEOUT
        )
    except GatedRepoError as error:
        raise ModelLoadError(
            f"QA model {name!r} is gated on the Hugging Face hub: accept its terms and set "
            "HF_TOKEN, or set QA_MODEL to another model."
        ) from error
    except RepositoryNotFoundError as error:
        raise ModelLoadError(
            f"There is no QA model {name!r} on the Hugging Face hub (or it is private: set "
            "HF_TOKEN). Set QA_MODEL to an existing hub id or to a local model folder."
        ) from error
    except RemoteEntryNotFoundError as error:
        raise ModelLoadError(
            f"{name!r} on the Hugging Face hub has no config.json, so it is not a "
            "transformers model. Set QA_MODEL to a question-answering model."
        ) from error
    except HfHubHTTPError as error:  # a 5xx or a 429: the hub is there but not answering
        return _first_line(error)
    except (httpx2.HTTPError, OSError) as error:
        return f"{type(error).__name__}: {_first_line(error)}"
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _explain(name: str, error: Exception) -> str:
    return (
        f"Could not load QA model {name!r} ({_first_line(error)}). Set QA_MODEL to a local "
        "folder with a saved question-answering model, or to a hub id this machine can "
        "download (set HF_HUB_OFFLINE=1 to use only the local cache)."
    )
