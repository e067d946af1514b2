"""Funder.csv, ProjectCoC.csv and Inventory.csv: kept whole as project records (by kind and HUD
ID) for the export, each under a project."""

from hmis.hudcsv.columns import KEYS
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.spec import FileSpec
from hmis.hudcsv.models import ProjectRecord


def write_records(file: str):
    key = KEYS[file]

    def write(im, chunk, summary) -> None:
        im.check_references(
            chunk, file, summary, "ProjectID", "Project", im.projects, store.load_projects
        )
        rows = chunk.kept()
        if not rows:
            return
        im.user_pks(chunk, rows, file)
        v = chunk.values
        ids, projects, users = v(key), v("ProjectID"), v("UserID")
        stamps = im.timestamps(chunk, rows)
        data = store.extras(chunk, rows, [key, "ProjectID", "UserID"])
        existing = {
            r["hud_id"]: r
            for r in ProjectRecord.objects.filter(
                kind=file, hud_id__in=[ids[i] for i in rows]
            ).values("pk", "hud_id", "updated_at", "deleted_at")
        }
        creates, updates = [], []
        for n, i in enumerate(rows):
            item = {
                "kind": file,
                "hud_id": ids[i],
                "project_id": im.projects[projects[i]][0],
                "data": data[n],
                "user_hud_id": users[i] or "",
                **{name: values[n] for name, values in stamps.items()},
            }
            old = existing.get(ids[i])
            if old is None:
                creates.append(item)
                summary.created += 1
            elif item["updated_at"] > im.times.held(old["updated_at"]) or (
                item["deleted_at"] and not old["deleted_at"]
            ):
                updates.append({**item, "pk": old["pk"]})
                if item["deleted_at"] and not old["deleted_at"]:
                    summary.deleted += 1
                else:
                    summary.updated += 1
            else:
                summary.unchanged += 1
        im.table(ProjectRecord).insert(creates)
        store.update(
            ProjectRecord,
            updates,
            ["project_id", "data", "user_hud_id", "updated_at", "deleted_at"],
        )

    return write


def _spec(file: str) -> FileSpec:
    return FileSpec(file, frozenset({KEYS[file], "ProjectID", "DateDeleted"}), write_records(file))


FUNDER, PROJECT_COC, INVENTORY = _spec("Funder"), _spec("ProjectCoC"), _spec("Inventory")
