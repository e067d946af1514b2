import re

from django.core.management.base import BaseCommand, CommandError

from hmis.audit.chain import verify


def _expected_head(text: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d{1,18}):([0-9a-f]{64})", text.strip())
    if match is None:
        raise CommandError("--expect takes SEQ:HASH as printed by an earlier verify-audit.")
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain: every row unchanged, none removed. Exits with "
        "status 1 and lists the problems otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect",
            default="",
            metavar="SEQ:HASH",
            help="A head printed by an earlier run: it must still be in the chain.",
        )

    def handle(self, *args, expect, **options):
        result = verify(expect=_expected_head(expect) if expect else None)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit trail fails verification ({result.rows} rows read).")
        self.stdout.write(
            f"Audit trail intact: {result.rows} rows. Head {result.head_seq}:{result.head_hash}\n"
            "Keep the head somewhere the database's users cannot change, and pass it to "
            "`hmis verify-audit --expect` next time."
        )
