"""The dashboard's figures as charts for the page and as rows for the CSV: the same numbers."""

from hmis.reports.charts import Series, bar_chart


def dashboard_charts(figures: dict) -> dict:
    today, undup = figures["today"], figures["unduplicated"]
    hours = [(h, n) for h, n in today.by_hour if 6 <= h <= 21 or n]
    new_returning = figures["new_returning"]
    return {
        "today": bar_chart(
            key="today",
            title=f"Clients served today by hour ({today.day:%m/%d/%Y})",
            description=f"{today.clients} clients today; each counted at the hour they arrived.",
            labels=[_hour(h) for h, _ in hours],
            series=[Series("Clients", [n for _, n in hours])],
        ),
        "unduplicated": bar_chart(
            key="unduplicated",
            title=f"Unduplicated clients per {undup.per}",
            description=(
                f"{undup.total} different clients in the period, "
                f"{undup.total_last_year} in the same period last year."
            ),
            labels=[p.label for p in undup.points],
            series=[
                Series("This period", [p.clients for p in undup.points]),
                Series("Same period last year", [p.clients for p in undup.last_year]),
            ],
            wide=True,
        ),
        "new_returning": bar_chart(
            key="new-returning",
            title="New and returning clients",
            description=(
                f"{new_returning.new} new (first service at the agency in the period), "
                f"{new_returning.returning} returning."
            ),
            labels=["New", "Returning"],
            series=[Series("Clients", [new_returning.new, new_returning.returning])],
        ),
        "codes": bar_chart(
            key="codes",
            title="Services and units by service",
            description=", ".join(
                f"{row.code}: {row.services} services, {row.units} units"
                for row in figures["codes"]
            )
            or "No services in the period.",
            labels=[row.code for row in figures["codes"]],
            series=[
                Series("Services", [row.services for row in figures["codes"]]),
                Series("Units", [row.units for row in figures["codes"]]),
            ],
            horizontal=True,
        ),
        "visits": bar_chart(
            key="visits",
            title="Visits per client",
            description=", ".join(f"{band}: {n} clients" for band, n in figures["visits"].items()),
            labels=list(figures["visits"]),
            series=[Series("Clients", list(figures["visits"].values()))],
        ),
    }


def _hour(hour: int) -> str:
    return f"{(hour - 1) % 12 + 1} {'am' if hour < 12 else 'pm'}"


def dashboard_rows(figures: dict) -> list[list]:
    """The dashboard as one CSV: figure, label, value (and last year's, where there is one)."""
    today, undup, nr = figures["today"], figures["unduplicated"], figures["new_returning"]
    rows = [["Figure", "Label", "Value", "Same period last year"]]
    rows.append(["Clients served today", today.day.isoformat(), today.clients, ""])
    rows += [["Clients today by hour", f"{h:02d}:00", n, ""] for h, n in today.by_hour]
    rows.append(["Unduplicated clients", "Whole period", undup.total, undup.total_last_year])
    rows += [
        [
            f"Unduplicated clients per {undup.per}",
            p.start.isoformat(),
            p.clients,
            last.clients if last else "",
        ]
        for p, last in undup.pairs
    ]
    rows += [["New clients", "", nr.new, ""], ["Returning clients", "", nr.returning, ""]]
    for row in figures["codes"]:
        rows.append(["Services", safe_cell(row.code), row.services, ""])
        rows.append(["Units", safe_cell(row.code), row.units, ""])
    rows += [["Visits per client", band, n, ""] for band, n in figures["visits"].items()]
    for scope, scope_rows in figures["breakdown"].items():
        for row in scope_rows:
            rows.append([f"Clients by {scope.lower()}", safe_cell(row.name), row.clients, ""])
            rows.append([f"Services by {scope.lower()}", safe_cell(row.name), row.services, ""])
            rows.append([f"Units by {scope.lower()}", safe_cell(row.name), row.units, ""])
    return rows


def safe_cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def demographic_tables(report, *, shared: bool) -> list[dict]:
    """Each table with its rows (hidden small cells when `shared`) and its chart."""
    tables = []
    for table in report.tables:
        rows = table.shared_rows() if shared else list(table.rows.items())
        values = [n if isinstance(n, int) else None for _, n in rows]
        tables.append(
            {
                "table": table,
                "rows": rows,
                "chart": bar_chart(
                    key=f"demo-{table.key}",
                    title=f"{table.title} of the clients served",
                    description=", ".join(f"{label}: {n}" for label, n in rows),
                    labels=[label for label, _ in rows],
                    series=[Series("Clients", values)],
                    horizontal=True,
                ),
            }
        )
    return tables
