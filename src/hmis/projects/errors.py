"""Refusals of program and location administration, each message defined once. `field` names
the form field the message belongs beside."""

from hmis.errors import DomainError


class ProgramError(DomainError):
    def __init__(self, code: str, message: str, *, field: str | None = None, **details):
        super().__init__(code, message, **details)
        self.field = field


HUD_RULE = "hud_rule"
START_DATE_REQUIRED = "A program needs its operating start date (HUD 2.02.3)."
END_BEFORE_START = "The operating end date cannot be before the operating start date."
PROJECT_TYPE_REQUIRED = "HUD requires the project type of a continuum project (HUD 2.02.6)."
RRH_SUBTYPE_REQUIRED = "A PH - Rapid Re-Housing program needs its RRH subtype (HUD 2.02.A)."
RRH_SUBTYPE_ONLY_RRH = "Only a PH - Rapid Re-Housing program has an RRH subtype."
RESIDENTIAL_AFFILIATION_REQUIRED = (
    "HUD requires the residential affiliation of a Services Only or RRH: Services Only program "
    "(HUD 2.02.B)."
)
RESIDENTIAL_AFFILIATION_NOT_APPLICABLE = (
    "Residential affiliation applies only to Services Only and RRH: Services Only programs."
)
HOUSING_TYPE_REQUIRED = "HUD requires the housing type of a residential program (HUD 2.02.D)."
AUTO_EXIT_DAYS = "Auto-exit needs a number of days from 1 to 3650, or leave it empty for never."
LOCATION_NAME_TAKEN = "location_name_taken"
LOCATION_NAME_TAKEN_MESSAGE = "This program already has a location with this name."
ORGANIZATION_REQUIRED = "organization_required"
ORGANIZATION_REQUIRED_MESSAGE = "Choose the program's organization."
