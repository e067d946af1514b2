"""Each HUD file the import reads, described once (its spec), in dependency order: users first
(every other file names them in UserID)."""

from hmis.hudcsv.importing.files import (
    client,
    enrollment,
    exit,
    organization,
    project,
    project_records,
    services,
    user,
)

SPECS = [
    user.SPEC,
    organization.SPEC,
    project.SPEC,
    project_records.FUNDER,
    project_records.PROJECT_COC,
    project_records.INVENTORY,
    client.SPEC,
    enrollment.SPEC,
    exit.SPEC,
    services.SPEC,
]
