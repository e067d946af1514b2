"""Live progress and cancel requests of running jobs, kept as small files in HMIS_JOBS_DIR.

Not in the database: a HUD CSV import runs in one transaction that holds SQLite's write lock until
it commits, so neither the worker's progress nor the web page's cancel request could be written
there meanwhile (and progress written inside that transaction would not be seen before the end).
Several app servers share HMIS_JOBS_DIR (it holds the jobs' uploads and results too)."""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


def jobs_dir() -> Path:
    path = Path(settings.HMIS_JOBS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _progress_path(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.progress.json"


def _cancel_path(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.cancel"


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    label: str
    started: float  # time.time() when the work began
    updated: float

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def seconds_left(self) -> int | None:
        """Time left at the pace so far; None until there is a pace to go by."""
        elapsed = self.updated - self.started
        if self.done <= 0 or self.total <= 0 or elapsed <= 0:
            return None
        return max(0, round(elapsed / self.done * (self.total - self.done)))


def write_progress(job_id: int, *, done: int, total: int, label: str, started: float) -> None:
    path = _progress_path(job_id)
    temporary = path.with_suffix(".tmp")
    payload = {"done": done, "total": total, "label": label, "started": started}
    payload["updated"] = time.time()
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    # A reader sees the old file or the new one, never half of one.
    os.replace(temporary, path)


def read_progress(job_id: int) -> Progress | None:
    try:
        data = json.loads(_progress_path(job_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return Progress(
        done=int(data["done"]),
        total=int(data["total"]),
        label=str(data["label"]),
        started=float(data["started"]),
        updated=float(data["updated"]),
    )


def request_cancel(job_id: int) -> None:
    _cancel_path(job_id).touch()


def cancel_requested(job_id: int) -> bool:
    return _cancel_path(job_id).exists()


def clear(job_id: int) -> None:
    _progress_path(job_id).unlink(missing_ok=True)
    _cancel_path(job_id).unlink(missing_ok=True)
