"""Organization.csv: our organizations, by HUD OrganizationID."""

from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.spec import FileSpec
from hmis.projects.models import Organization

MODELLED = ["OrganizationID", "OrganizationName", "OrganizationCommonName", "VictimServiceProvider"]


def write(im, chunk, summary) -> None:
    rows = chunk.kept()
    v = chunk.values
    im.user_pks(chunk, rows, "Organization")
    ids, names = v("OrganizationID"), v("OrganizationName")
    common, victim = v("OrganizationCommonName"), v("VictimServiceProvider")
    store.upsert(
        im,
        Organization,
        "hud_organization_id",
        summary,
        {
            "hud_organization_id": [ids[i] for i in rows],
            "name": [names[i] or ids[i] for i in rows],
            "common_name": [common[i] or "" for i in rows],
            "victim_service_provider": [victim[i] == 1 for i in rows],
            "hud_data": store.extras(chunk, rows, MODELLED),
            **im.timestamps(chunk, rows),
        },
        ["name", "common_name", "victim_service_provider", "hud_data"],
    )
    im.resolve(im.organizations, {ids[i] for i in rows}, store.load_organizations)


SPEC = FileSpec("Organization", frozenset({"OrganizationID", "DateDeleted"}), write)
