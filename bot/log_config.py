"""One logging set-up for every process qabot runs: the CLI, and each uvicorn worker.

uvicorn's worker processes (`WEB_CONCURRENCY` > 1) start fresh interpreters that never run
the CLI, so without this their per-request lines (event id, channel, latency) would be lost.
"""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr at `level`; quiet the libraries that repeat what qabot says itself."""
    logging.basicConfig(format=LOG_FORMAT)
    logging.getLogger().setLevel(level)
    _quiet_huggingface_hub()
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _quiet_huggingface_hub() -> None:
    # huggingface_hub gives its logger a stderr handler of its own and sets its level when
    # it is first imported, so a level set before that import is undone, and every record
    # printed twice (its bare handler, then ours). Import it first (tens of ms), then
    # leave the printing to the root handler. A failed hub download is reported once, by
    # qabot's own error line; the hub's retry warnings only repeat it.
    import huggingface_hub.utils.logging  # noqa: F401  (configures the hub's logger)

    hub = logging.getLogger("huggingface_hub")
    for handler in list(hub.handlers):
        hub.removeHandler(handler)
    hub.setLevel(logging.ERROR)
