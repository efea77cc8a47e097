"""Durable work: jobs written before Slack is acknowledged, done by any process's runner."""

from bot.jobs.add_document import AddDocumentJob, AddRequest, AnswerToSave
from bot.jobs.answer import AnswerJob, AnswerRequest
from bot.jobs.delivery import Destination, make_web_client
from bot.jobs.runner import JobRunner

__all__ = [
    "AddDocumentJob",
    "AddRequest",
    "AnswerJob",
    "AnswerRequest",
    "AnswerToSave",
    "Destination",
    "JobRunner",
    "make_web_client",
]
