"""HTTP status for a refusal's stable code, the same for every operation."""

# "The record is not in a state that allows this", rather than "a rule said no" (422).
CONFLICT_CODES = frozenset(
    {
        "already_added",
        "already_void",
        "not_pending",
        "batch_inactive",
        "key_reused",
        "location_inactive",
        "already_enrolled",
        "already_exited",
    }
)


# "Your role may not do this": a scan station sending a Client ID.
FORBIDDEN_CODES = frozenset({"card_only"})


def status_for_code(code: str) -> int:
    if code in FORBIDDEN_CODES:
        return 403
    return 409 if code in CONFLICT_CODES else 422
