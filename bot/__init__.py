"""qabot's Slack app: listeners, rendering, storage and servers around `qa_engine`."""
