"""Logging set-up: readable lines for a person at a terminal, or one JSON object per line for a
log collector (``RUTA_LOG_FORMAT=json``)."""

from __future__ import annotations

import json
import logging
import sys

from node.config import Settings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Tortoise logs every query at DEBUG; keep that out unless asked for explicitly.
    logging.getLogger("tortoise").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
