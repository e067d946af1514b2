"""A client's own comment on a pending batch entry (issue 10, item 7): posted in place of, or
after, the batch's *Default Comments* for that client only."""

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches import errors
from hmis.batches.errors import BatchError
from hmis.batches.models import BatchEntry, CommentMode, EntryStatus

COMMENT_MAX = 1000


def posted_comments(*, default_comments: str, comment: str, mode: str) -> str:
    """The comments a service of this entry carries."""
    if not comment:
        return default_comments
    if mode == CommentMode.REPLACE or not default_comments:
        return comment
    return f"{default_comments} {comment}"


def set_entry_comment(*, entry: BatchEntry, user, comment: str, mode: str) -> BatchEntry:
    """Set (or clear, with an empty comment) the entry's own comment, while it is pending."""
    comment = (comment or "").strip()
    if mode not in CommentMode.values:
        raise BatchError(errors.INVALID_COMMENT, "ERROR: Choose Add or Replace.")
    if len(comment) > COMMENT_MAX:
        raise BatchError(
            errors.INVALID_COMMENT, f"ERROR: A comment is at most {COMMENT_MAX} characters."
        )
    with transaction.atomic():
        entry = BatchEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != EntryStatus.PENDING:
            raise BatchError(
                errors.NOT_PENDING, "ERROR: Only a pending entry's comment can be changed."
            )
        changes = {}
        if entry.comment != comment:
            changes["comment"] = [entry.comment, comment]
        if entry.comment_mode != mode:
            changes["comment_mode"] = [entry.comment_mode, mode]
        if changes:
            entry.comment, entry.comment_mode = comment, mode
            entry.save(update_fields=["comment", "comment_mode"])
            record(
                actor=user,
                action=AuditAction.CHANGE,
                obj=entry,
                organization_id=entry.batch.organization_id,
                client_id=entry.client_id,
                changes=changes,
            )
    return entry
