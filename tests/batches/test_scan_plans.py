"""No statement of a scan, of posting, of the frequency check or of the services report reads a
table that grows with the services (services, entries, enrollments, bars, cards, the audit trail)
beyond what an index condition bounds; services are bounded by their date. With sequential
scans discouraged, a plan that still reads such a table whole has no index to use."""

import json
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hmis.batches.adding import add_client_to_batch
from hmis.batches.models import BatchEntry
from hmis.batches.posting import post_batch
from hmis.clients.eligibility import frequency_refusals
from hmis.clients.models import Client, CommunityCard, Enrollment
from hmis.reports.queries import services_delivered, services_delivered_totals
from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The tables that grow with the services, and the columns that narrow a read of each to what
# one client, one card, one request or one day holds: an index read must be bounded by one.
GROWING = {
    "services_service": ("date_provided",),
    # A batch's own entries: posting reads the pending ones of the batch it posts.
    "batches_batchentry": ("id", "client_id", "batch_id"),
    "batches_scanoutcome": ("id", "key"),
    "clients_enrollment": ("id", "client_id", "household_id"),
    "clients_bar": ("id", "client_id"),
    "clients_communitycard": ("id", "code", "client_id"),
    "clients_client": ("id",),
    "audit_auditevent": ("id",),
}


def unbounded_reads(sql: str, params=None) -> list[str]:
    """The reads of a growing table in the plan of `sql` that no index bounds: a sequential
    scan, an index read without a condition on its leading column (read end to end), or one
    whose condition does not name a narrowing column of the table (GROWING: a program's
    enrollments or services grow too). Only the newest row of an index (ORDER BY ... LIMIT 1,
    the audit chain's head) needs none."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = on")
    if isinstance(plan, str):
        plan = json.loads(plan)
    found = []

    def walk(node: dict, parent: str = "") -> None:
        table = node.get("Relation Name")
        if table in GROWING:
            reads = _index_reads(node)
            newest_row = parent == "Limit" and bool(reads) and not node.get("Filter")
            bounded = bool(reads) and all(
                _names(_leading_column(index), condition)
                and any(_names(column, condition) for column in GROWING[table])
                for index, condition in reads
            )
            if not (bounded or newest_row):
                found.append(f"{node['Node Type']} on {table}: {reads or 'no index'}")
        for child in node.get("Plans", []):
            walk(child, node["Node Type"])

    walk(plan[0]["Plan"])
    return found


def _index_reads(node: dict) -> list[tuple[str, str]]:
    """(index name, index condition) of a scan, or of the index scans under a bitmap scan."""
    if "Index Name" in node:
        return [(node["Index Name"], node.get("Index Cond", ""))]
    return [read for child in node.get("Plans", []) for read in _index_reads(child)]


def _names(column: str, condition: str) -> bool:
    return re.search(rf"\b{column}\b", condition) is not None


def _leading_column(index: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE c.relname = %s",
            [index],
        )
        row = cursor.fetchone()
    return row[0] if row else "?"


def selects(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "pg_advisory" not in q["sql"]
    ]


@pytest.fixture
def limited_batch(day_shelter, staff_a):
    code = f.make_code("Shower", limit_count=2, limit_period_days=7)
    return f.make_batch(day_shelter, performing_user=staff_a, codes=[(code, 1)], auto_post=True)


def a_busy_program(project, user, clients: int = 1000) -> None:
    """Many clients with cards, enrollments and entries in the program: the planner then weighs
    a read of the whole program as what it is (with a handful of rows every index looks alike).
    Statistics are taken afresh (`analyze`) before the plans are asked."""
    made = Client.objects.bulk_create(
        Client(first_name="Guest", last_name=f"N{n}", organization=project.organization)
        for n in range(clients)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(client=client, project=project, entry_date=date(2024, 1, 1)) for client in made
    )
    CommunityCard.objects.bulk_create(
        CommunityCard(client=client, code=f"BUSY{n:06d}", issued_at=timezone.now())
        for n, client in enumerate(made)
    )
    other = f.make_batch(project, performing_user=user)
    BatchEntry.objects.bulk_create(
        BatchEntry(
            batch=other,
            client=enrollment.client,
            enrollment=enrollment,
            batch_date=date(2025, 1, 1),
            date_provided=date(2025, 1, 1),
            added_by=user,
            added_at=timezone.now(),
        )
        for enrollment in enrollments
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_every_select_of_a_scan_uses_indexes(staff_a, limited_batch, day_shelter, org_a):
    a_busy_program(day_shelter, staff_a)
    client = f.make_client("Ana", "Lopez", organization=org_a)
    f.enroll(client, day_shelter, entry_date=date(2024, 1, 1))
    f.issue_card(client, code="PLAN0001")
    day = timezone.localdate().isoformat()
    http = signed_in(staff_a)
    data = {"scan_type": "card", "typed": "PLAN0001", "batch_date": day, "date_provided": day}

    with CaptureQueriesContext(connection) as queries:
        http.post(reverse("batches:scan", args=[limited_batch.pk]), {**data, "key": "p-1"})
        http.post(reverse("batches:scan", args=[limited_batch.pk]), {**data, "key": "p-2"})

    analyze()
    statements = selects(queries)
    assert any("clients_communitycard" in sql for sql in statements)
    for sql in statements:
        assert unbounded_reads(sql) == [], sql


def test_posting_and_the_frequency_check_use_indexes(staff_a, day_shelter, org_a):
    a_busy_program(day_shelter, staff_a)
    batch = f.make_batch(day_shelter, performing_user=staff_a)
    clients = [f.make_client("Guest", f"N{n}", organization=org_a) for n in range(3)]
    day = timezone.localdate()
    for client in clients:
        f.enroll(client, day_shelter, entry_date=date(2024, 1, 1))
        add_client_to_batch(
            batch=batch, client=client, user=staff_a, batch_date=day, date_provided=day
        )
    code = f.make_code("Shower", limit_count=1, limit_period_days=30)

    with CaptureQueriesContext(connection) as queries:
        post_batch(batch=batch, user=staff_a)
        frequency_refusals(codes=[code], wants=[(c.pk, day) for c in clients])

    analyze()
    statements = selects(queries)
    assert any("services_service" in sql for sql in statements)
    for sql in statements:
        assert unbounded_reads(sql) == [], sql


def test_the_services_report_for_one_program_and_month_reads_only_that_month(staff_a, day_shelter):
    filters = {
        "user": staff_a,
        "start": date(2026, 3, 1),
        "end": date(2026, 3, 31),
        "project": day_shelter,
    }
    for queryset in (services_delivered(**filters),):
        sql, params = queryset.query.sql_with_params()
        assert unbounded_reads(sql, params) == [], sql
    with CaptureQueriesContext(connection) as queries:
        services_delivered_totals(**filters)
    for sql in selects(queries):
        assert unbounded_reads(sql) == [], sql
