"""Refusals of the service catalog, each message defined once. `field` names the form field the
message belongs beside."""

from hmis.errors import DomainError


class CatalogError(DomainError):
    def __init__(self, code: str, message: str, *, field: str | None = None, **details):
        super().__init__(code, message, **details)
        self.field = field


GROUP_NOT_FOR_PROGRAM = "group_not_for_program"
GROUP_NOT_FOR_PROGRAM_MESSAGE = (
    "The service group “{group}” is not offered to the program {program}."
)
CODE_NOT_FOR_PROGRAM_MESSAGE = (
    "“{code}” is in the service group “{group}”, which is not offered to the program {program}."
)
CODE_RETIRED = "code_retired"
CODE_RETIRED_MESSAGE = "“{code}” is retired: it cannot be added to batches."
INVALID_HUD_PAIR = "invalid_hud_pair"
INVALID_HUD_PAIR_MESSAGE = "Choose a HUD record type and type provided from HUD's lists."
LIMIT_INCOMPLETE = "limit_incomplete"
LIMIT_INCOMPLETE_MESSAGE = "A frequency limit needs both numbers: N services per D days."
PROGRAM_OF_OTHER_ORGANIZATION = "program_of_other_organization"
PROGRAM_OF_OTHER_ORGANIZATION_MESSAGE = "Choose programs of the group's own organization."
ORGANIZATION_REQUIRED = "organization_required"
ORGANIZATION_REQUIRED_MESSAGE = "Choose the group's organization."
