"""Calling a fast tokenizer from several threads at once, safely.

A fast tokenizer is one shared Rust object, and transformers re-applies its truncation and
padding settings on that object at every call. Two threads calling it with different
settings — the Slack app splits a new document while another thread encodes question
windows — fail at random ("Truncation error: Second sequence not provided", "Already
borrowed"). Every call in qa_engine goes through `tokenize`, which holds one lock per
tokenizer; a call takes well under a millisecond to a few, so nobody waits long.
"""

from __future__ import annotations

import threading
from typing import Any
from weakref import WeakKeyDictionary

_locks: WeakKeyDictionary[Any, threading.Lock] = WeakKeyDictionary()
_locks_guard = threading.Lock()


def tokenizer_lock(tokenizer: Any) -> threading.Lock:
    """The lock that serialises calls to `tokenizer` (one per tokenizer object)."""
    with _locks_guard:
        lock = _locks.get(tokenizer)
        if lock is None:
            lock = _locks[tokenizer] = threading.Lock()
        return lock


def tokenize(tokenizer: Any, *args: Any, **kwargs: Any) -> Any:
    """`tokenizer(*args, **kwargs)`, never concurrently with another call to it."""
    with tokenizer_lock(tokenizer):
        return tokenizer(*args, **kwargs)
