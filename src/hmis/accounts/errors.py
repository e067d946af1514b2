"""Refusals of user administration and set-password links, each message defined once."""

from hmis.errors import DomainError


class AccountError(DomainError):
    """A user could not be created or changed, or a set-password link could not be used.
    `field` names the form field the message belongs beside, when there is one."""

    def __init__(self, code: str, message: str, *, field: str | None = None, **details):
        super().__init__(code, message, **details)
        self.field = field


ROLE_NOT_ALLOWED = "role_not_allowed"
ROLE_NOT_ALLOWED_MESSAGE = "You cannot give a role above your own."
USERNAME_TAKEN = "username_taken"
USERNAME_TAKEN_MESSAGE = "This username is already taken."
BATCH_OF_OTHER_ORGANIZATION = "batch_of_other_organization"
BATCH_OF_OTHER_ORGANIZATION_MESSAGE = "Choose batches of the user's own organization."
ORGANIZATION_REQUIRED = "organization_required"
ORGANIZATION_REQUIRED_MESSAGE = "Choose the user's organization."
CANNOT_DEACTIVATE_SELF = "cannot_deactivate_self"
CANNOT_DEACTIVATE_SELF_MESSAGE = "You cannot deactivate your own account."
LINK_INVALID = "link_invalid"
LINK_INVALID_MESSAGE = (
    "This link is not valid: it was already used, it expired (links last 24 hours), or it was "
    "replaced by a newer one. Ask your administrator for a new link."
)
WEAK_PASSWORD = "weak_password"  # noqa: S105 (an error code, not a password)
PASSWORDS_DIFFER = "passwords_differ"
PASSWORDS_DIFFER_MESSAGE = "The two passwords differ."
