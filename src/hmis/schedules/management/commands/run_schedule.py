"""`hmis run-schedule`: run the recurring work that is due now (what `hmis worker` does every
minute), or one task for one day."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hmis.schedules.scheduling import TASKS, run_due, run_task


class Command(BaseCommand):
    help = "Run the recurring work due now (auto-posting, auto-exit, nightly export, housekeeping)."

    def add_arguments(self, parser):
        parser.add_argument("--task", choices=sorted(TASKS), help="Only this task (with --day).")
        parser.add_argument("--day", type=date.fromisoformat, help="The day to run it for.")
        parser.add_argument("--again", action="store_true", help="Even if it already ran.")

    def handle(self, *args, task, day, again, **options):
        if bool(task) != bool(day):
            raise CommandError("--task and --day go together.")
        runs = [run_task(task=task, day=day, again=again)] if task else run_due()
        runs = [run for run in runs if run is not None]
        if not runs:
            self.stdout.write("Nothing due.")
        for run in runs:
            outcome = f"failed: {run.error}" if run.error else run.result
            self.stdout.write(f"{run.task} for {run.day}: {outcome}")
        if any(run.error for run in runs):
            raise CommandError("A scheduled task failed (see above).")
