"""Every log record carries the id of the request it belongs to (``-`` outside requests)."""

from __future__ import annotations

import logging

from .request_context import current_request_id

_installed = False


class RequestIDFilter(logging.Filter):
    """Adds ``request_id`` to every log record (kept for handlers configured in LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def install_request_id_record_factory() -> None:
    """Stamp ``request_id`` on records when they are created, so any handler and formatter
    (also third-party ones, and records from libraries) can use ``%(request_id)s``."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
