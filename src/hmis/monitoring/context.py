"""The request being served, for log lines: its id, the user's id and organization id (never a
name). Kept in context variables, so each thread or task sees its own."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
user_id: ContextVar[int | None] = ContextVar("user_id", default=None)
organization_id: ContextVar[int | None] = ContextVar("organization_id", default=None)
