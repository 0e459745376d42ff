"""Log records as one JSON object a line (production), carrying the request id audit events carry.

The request id comes from the record itself when the code that logs passes it (`extra={"request_id":
…}`, as the request log does after the request context is gone), otherwise from the request context
(govcloud.core.context), which is set for the whole of a request and empty in tasks and commands.
With the same id in the log line, the audit event and the X-Request-ID header, an operator follows one
request from the load balancer to the audit trail.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from govcloud.core import context

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged too.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def _request_id(record: logging.LogRecord) -> str:
    given = getattr(record, "request_id", "")
    if given and given != "-":
        return given
    # Django's own "django.request" lines (4xx, 5xx) are written once the middleware, and with it
    # the request context, has finished; they carry the request, which carries the id.
    request = getattr(record, "request", None)
    return getattr(request, "request_id", "") or context.current().request_id


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # None outside a request (tasks, commands); "-" is what RequestIdFilter puts there for text.
            "request_id": _request_id(record) or None,
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key != "request":
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a value from `extra=` that JSON cannot hold is logged as its text, never lost.
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Gives text lines (DEBUG) the request id too, as `%(request_id)s`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id(record) or "-"
        return True
