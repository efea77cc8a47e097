"""Extractive question answering over documents, independent of Slack and of storage."""
