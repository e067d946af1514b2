"""JSON-lines logging (HMIS_LOG_FORMAT=json): one JSON object per line with the time, level,
logger, message and the request's id, user id and organization id."""

import json
import logging
from datetime import UTC, datetime

from hmis.monitoring import context


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id.get()
        record.user_id = context.user_id.get()
        record.organization_id = context.organization_id.get()
        return True


class JsonLinesFormatter(logging.Formatter):
    EXTRA = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "user_id": getattr(record, "user_id", None),
            "organization_id": getattr(record, "organization_id", None),
        }
        for name in self.EXTRA:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
