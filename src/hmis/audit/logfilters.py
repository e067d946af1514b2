"""Logging filters: log lines must not carry an SSN in plain text."""

import logging
import re

# 123-45-6789, 123 45 6789 or 123456789 standing alone (not inside a longer number or code).
SSN_PATTERN = re.compile(r"(?<![\w-])\d{3}([- ]?)\d{2}\1\d{4}(?![\w-])")
REDACTED = "[redacted-ssn]"


def redact_ssn(text: str) -> str:
    return SSN_PATTERN.sub(REDACTED, text)


class RedactSsnFilter(logging.Filter):
    """Rewrites the formatted message with SSN-shaped numbers replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_ssn(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
