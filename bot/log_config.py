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
    # A failed hub download is reported once, by qabot's own error line.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
