"""Exit.csv: the exit of a known enrollment (its date, destination and the rest in
exit_hud_data). An exit is "stored" when exit_hud_data has a DateUpdated or, for an exit recorded
here, when the enrollment has an exit date (our export gives it the enrollment's updated_at)."""

from hmis.clients.models import Enrollment
from hmis.hudcsv import codes
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.messages import (
    MSG_EXIT_BEFORE_ENTRY,
    MSG_EXIT_ID_TAKEN,
    MSG_NOT_IN_LIST_STORED,
    WARNING,
)
from hmis.hudcsv.importing.spec import FileSpec

MODELLED = ["ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination"]


def write(im, chunk, summary) -> None:
    im.check_enrollments(chunk, "Exit", summary)
    v = chunk.values
    exit_ids, enrollment_ids, exit_dates = v("ExitID"), v("EnrollmentID"), v("ExitDate")
    rows = chunk.kept()
    owners = dict(
        Enrollment.objects.filter(hud_exit_id__in=[exit_ids[i] for i in rows]).values_list(
            "hud_exit_id", "pk"
        )
    )
    for i in rows:
        pk, *_, entry_date = im.enrollments[enrollment_ids[i]]
        if exit_dates[i] < entry_date:
            reason = MSG_EXIT_BEFORE_ENTRY.format(entry=entry_date.isoformat())
            im.reject_row(chunk, i, "Exit", summary, "ExitDate", exit_dates[i].isoformat(), reason)
        elif owners.get(exit_ids[i], pk) != pk:
            im.reject_row(chunk, i, "Exit", summary, "ExitID", exit_ids[i], MSG_EXIT_ID_TAKEN)
    rows = chunk.kept()
    im.user_pks(chunk, rows, "Exit")
    pks = [im.enrollments[enrollment_ids[i]][0] for i in rows]
    current = {
        e["pk"]: e
        for e in Enrollment.objects.filter(pk__in=pks).values(
            "pk", "exit_date", "exit_hud_data", "updated_at"
        )
    }
    stamps = im.timestamps(chunk, rows)
    data_of = store.extras(chunk, rows, MODELLED)
    destinations = v("Destination")
    updates = []
    for n, i in enumerate(rows):
        created, updated = stamps["created_at"][n], stamps["updated_at"][n]
        deleted = stamps["deleted_at"][n]
        data = data_of[n]
        local = im.times.local_text
        data.update({"DateCreated": local(created), "DateUpdated": local(updated)})
        if deleted:
            # Kept so that an "updated" export can show the deletion.
            data["DateDeleted"] = local(deleted)
            data["ExitDate"] = store.iso(exit_dates[i])
        destination = destinations[i]
        if destination in codes.NOT_DESTINATION:
            reason = MSG_NOT_IN_LIST_STORED.format(list_id="3.12.1", stored=99)
            im.problem(WARNING, "Exit.csv", chunk.lines[i], "Destination", str(destination), reason)
            destination = 99
        old = current.get(pks[n])
        old_data = old["exit_hud_data"] if old else {}
        old_updated = old_data.get("DateUpdated")
        if not old_updated and old and old["exit_date"] is not None:
            old_updated = store.iso(old["updated_at"])
        if (
            old_updated
            and old_updated >= data["DateUpdated"]
            and bool(old_data.get("DateDeleted")) == bool(deleted)
        ):
            summary.unchanged += 1
            continue
        if deleted:
            summary.deleted += 1
        elif old_updated:
            summary.updated += 1
        else:
            summary.created += 1
        updates.append(
            {
                "pk": pks[n],
                "exit_date": None if deleted else exit_dates[i],
                "destination": None if deleted else (99 if destination is None else destination),
                "hud_exit_id": exit_ids[i],
                "exit_hud_data": data,
            }
        )
    store.update(Enrollment, updates, ["exit_date", "destination", "hud_exit_id", "exit_hud_data"])


SPEC = FileSpec(
    "Exit",
    frozenset({"ExitID", "EnrollmentID", "PersonalID", "ExitDate", "DateDeleted"}),
    write,
)
