"""Prometheus metrics (prometheus_client): requests and latencies counted in each process (merged
across gunicorn's workers through PROMETHEUS_MULTIPROC_DIR, which `hmis serve` sets), and figures
read from the database at each scrape: scans in the last minute, refusals by code, jobs by
status, tasks waiting in the queue."""

import os
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("hmis_http_requests", "HTTP requests answered", ["method", "view", "status"])
LATENCY = Histogram(
    "hmis_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class DatabaseCollector:
    """Figures every app server sees alike, read at scrape time."""

    def collect(self):
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from hmis.batches.models import BatchEntry, ScanOutcome
        from hmis.jobs.models import Job, JobStatus

        now = timezone.now()
        scans = GaugeMetricFamily(
            "hmis_scans_last_minute", "Clients added to batches in the last minute"
        )
        scans.add_metric(
            [], BatchEntry.objects.filter(added_at__gte=now - timedelta(minutes=1)).count()
        )
        yield scans

        refusals = GaugeMetricFamily(
            "hmis_scan_refusals_last_hour",
            "Refused adds in the last hour, by code",
            labels=["code"],
        )
        refused = (
            ScanOutcome.objects.filter(ok=False, created_at__gte=now - timedelta(hours=1))
            .values("code")
            .annotate(n=Count("pk"))
        )
        for row in refused:
            refusals.add_metric([row["code"]], row["n"])
        yield refusals

        jobs = GaugeMetricFamily("hmis_jobs", "Jobs by status", labels=["status"])
        counts = dict(Job.objects.values_list("status").annotate(n=Count("pk")))
        for status in JobStatus.values:
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs

        queue = GaugeMetricFamily("hmis_task_queue_ready", "Tasks waiting for a worker")
        queue.add_metric([], DBTaskResult.objects.filter(status=TaskResultStatus.READY).count())
        yield queue


def render_metrics() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
