"""HUD CSV record IDs (PersonalID, EnrollmentID, OrganizationID, ...).

Every record gets one when it is created, so an export always carries the record's own stable ID
and importing that export again (here or elsewhere) updates the record instead of duplicating it.
Records imported from another system keep that system's ID.
"""

import uuid


def new_hud_id() -> str:
    return uuid.uuid4().hex
