"""User.csv: inactive users without a password, by HUD UserID (other files name them)."""

from django.contrib.auth.hashers import make_password

from hmis.accounts.models import Role, User
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.spec import FileSpec


def write(im, chunk, summary) -> None:
    rows = chunk.kept()
    v = chunk.values
    ids = [v("UserID")[i] for i in rows]
    existing = {
        u["hud_user_id"]: u
        for u in User.objects.filter(hud_user_id__in=ids).values("pk", "hud_user_id", "updated_at")
    }
    wanted = {f"hud-{i}"[:150] for i in ids}
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    stamps = im.timestamps(chunk, rows)
    first, last, email = v("UserFirstName"), v("UserLastName"), v("UserEmail")
    phone, extension = v("UserPhone"), v("UserExtension")
    creates, updates = [], []
    for n, i in enumerate(rows):
        values = {
            "first_name": first[i] or "",
            "last_name": last[i] or "",
            "email": (email[i] or "")[:254],
            "phone": phone[i] or "",
            "phone_extension": extension[i] or "",
            "updated_at": stamps["updated_at"][n],
        }
        old = existing.get(ids[n])
        if old is None:
            username = f"hud-{ids[n]}"[:150]
            if username in taken:
                username = f"hud-{ids[n]}-{chunk.lines[i]}"[:150]
            creates.append(
                {
                    **values,
                    "username": username,
                    "password": make_password(None),
                    "hud_user_id": ids[n],
                    "is_active": False,
                    "is_staff": False,
                    "is_superuser": False,
                    "role": Role.READ_ONLY,
                    "can_override_bars": False,
                    "organization_id": im.organization_pk,
                    "date_joined": stamps["created_at"][n],
                }
            )
            summary.created += 1
        elif values["updated_at"] > im.times.held(old["updated_at"]):
            updates.append({**values, "pk": old["pk"]})
            summary.updated += 1
        else:
            summary.unchanged += 1
    im.table(User).insert(creates)
    store.update(User, updates, [k for k in updates[0] if k != "pk"] if updates else [])
    im.resolve(im.users, set(ids), store.load_users)


SPEC = FileSpec("User", frozenset({"UserID", "DateDeleted"}), write)
