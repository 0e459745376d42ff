"""A month's rating as one INSERT … SELECT: the metered lines of every department, written into
their draft statements without a row passing through Python.

The rules are those of `metering.meter` (read that first); a property test keeps the two equal
on random ledgers (tests/test_sql_rating.py). What each side contributes:
- Python fills two small temporary tables: the price-list versions that apply within the month
  and, for each distinct (catalog item, spec) that occurs in the month's history and each version,
  its units with quantity and price (from `catalog.specs.metered_units`, the one mapping from specs
  to money); the units' names and details go into the query as CASE expressions;
- SQL does the volume: spans from the history (LEAD over each resource's entries), clipped to the
  month and cut at price-list versions, joined to their units and prices, consecutive spans of a
  unit at the same quantity and price merged into one line (gaps and islands), rated, inserted.

Money stays exact without a decimal type (SQLite has none): quantities and prices are integers
of 1/10,000 (q4, p4; both columns have 4 decimal places) and a line's cents are

    round_half_up(q4·p4 · seconds / (month · 10⁶))
      = (A / D)·seconds + ((A % D)·seconds + D/2) / D       A = q4·p4, D = month·10⁶

in 64-bit integers: A % D < D and seconds ≤ month, so the largest product is below month²·10⁶ ≈
7.2·10¹⁸ < 2⁶³ for any month. A itself must fit in 63 bits, which `draft_lines` checks.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from django.db import connection, transaction

from govcloud.billing.metering import (
    BILLED_STATES,
    QUANTUM,
    PriceBook,
    month_bounds,
    resources_in,
    unit_detail_of,
    whole_second,
)
from govcloud.billing.models import Statement, StatementLine, StatementState
from govcloud.catalog.models import CatalogItem, PriceUnit
from govcloud.catalog.specs import metered_units
from govcloud.ledger.models import Resource, ResourceHistory

SCALE = 10_000  # q4 and p4: 4 decimal places
INT63 = 2**63 - 1
CHUNK = 500  # rows per INSERT of the small tables (7 columns: 3,500 parameters, within SQLite's limit)
UNIT_NUMBERS = {unit: number for number, unit in enumerate(PriceUnit.values)}
TEMP_TABLES = ("billing_rates", "billing_rate_versions")


def _dialect() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "epoch": "FLOOR(EXTRACT(EPOCH FROM {0}))::bigint",
            "greatest": "GREATEST",
            "least": "LEAST",
            "moment": "to_timestamp({0})",
            "spec_type": "jsonb",
            "spec_param": "%s::jsonb",
        }
    return {
        # The stored text without its fraction of a second: strftime would round 0.9995 s up.
        # '%%' because the query takes parameters: the backend turns '%s' into a placeholder.
        "epoch": "CAST(strftime('%%s', substr({0}, 1, 19)) AS INTEGER)",
        "greatest": "MAX",
        "least": "MIN",
        "moment": "datetime({0}, 'unixepoch')",
        "spec_type": "text",
        "spec_param": "%s",
    }


def _epoch(moment: datetime) -> int:
    return int(whole_second(moment).timestamp())


def _prepare_tables(cursor, dialect: dict[str, str]) -> None:
    """The temporary tables, private to this database connection, emptied for this run. Units are
    numbered (UNIT_NUMBERS) so that the big sorts compare integers."""
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS billing_rates (catalog_item_id bigint, "
        f"spec {dialect['spec_type']}, version integer, unit_no integer, engine_key bigint, q4 bigint, p4 bigint)"
    )
    cursor.execute("CREATE INDEX IF NOT EXISTS billing_rates_key ON billing_rates (catalog_item_id, spec, version)")
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS billing_rate_versions (version integer, f bigint, t bigint)")
    for table in TEMP_TABLES:
        cursor.execute(f"DELETE FROM {table}")


def _fill_tables(
    cursor, dialect: dict[str, str], chosen: tuple[str, tuple], until, book: PriceBook, start: datetime, end: datetime
) -> tuple[int, dict[tuple[int, int], tuple[str, str]]]:
    """The price-list versions in force within [start, end) (before the first price list nothing
    is priced, as in `meter`), and for each distinct (catalog item, spec) billed in the month and
    each version: its units with quantity and price. Returns the largest q4·p4 and the units' names
    and details by (unit number, engine key)."""
    cuts = [start, *(b for b in book.boundaries() if start < b < end), end]
    versions = list(enumerate(zip(cuts, cuts[1:], strict=False)))
    priced = {
        (version, UNIT_NUMBERS[unit], engine_id or 0): int(amount.quantize(QUANTUM) * SCALE)
        for version, (f, _t) in versions
        for (unit, engine_id), amount in book.at(f).items()
    }
    chosen_sql, chosen_params = chosen
    history, resource = ResourceHistory._meta.db_table, Resource._meta.db_table
    cursor.execute(
        f"SELECT DISTINCT r.catalog_item_id, h.spec_after FROM {history} h JOIN {resource} r ON r.id = h.resource_id "
        f"WHERE h.at < %s AND h.state_after IN (%s, %s) AND h.resource_id IN ({chosen_sql})",
        [until, *BILLED_STATES, *chosen_params],
    )
    specs = cursor.fetchall()
    items = {item.pk: item for item in CatalogItem.objects.filter(pk__in={item_id for item_id, _ in specs})}
    rows, names, largest = [], {}, 0
    for item_id, raw in specs:
        # SQLite returns the stored text, which the join compares as text; PostgreSQL compares jsonb.
        text = raw if isinstance(raw, str) else json.dumps(raw)
        item = items[item_id]
        for (unit, engine_id), quantity in metered_units(item, json.loads(text)).items():
            q4 = int(quantity.quantize(QUANTUM) * SCALE)
            number, engine_key = UNIT_NUMBERS[unit], engine_id or 0
            names[number, engine_key] = (str(unit), unit_detail_of(unit, item))
            for version, _bounds in versions:
                p4 = priced.get((version, number, engine_key), 0)
                largest = max(largest, q4 * p4)
                rows.append((item_id, text, version, number, engine_key, q4, p4))
    _insert(
        cursor,
        "billing_rate_versions (version, f, t)",
        [(version, _epoch(f), _epoch(t)) for version, (f, t) in versions],
    )
    _insert(
        cursor,
        "billing_rates (catalog_item_id, spec, version, unit_no, engine_key, q4, p4)",
        rows,
        f"(%s, {dialect['spec_param']}, %s, %s, %s, %s, %s)",
    )
    return largest, names


def _insert(cursor, target: str, rows: list[tuple], row_sql: str = "") -> None:
    """Rows in multi-row INSERTs of CHUNK rows: one round trip per chunk (executemany makes one per
    row on PostgreSQL)."""
    if not rows:
        return
    row_sql = row_sql or "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        cursor.execute(
            f"INSERT INTO {target} VALUES " + ", ".join([row_sql] * len(chunk)), [v for r in chunk for v in r]
        )


_COLUMNS = (
    "statement_id",
    "resource_id",
    "system_id",
    "resource_kind",
    "unit",
    "unit_detail",
    "quantity",
    "unit_price",
    "starts_at",
    "ends_at",
    "seconds",
    "amount",
    "reason",
    "is_adjustment",
)


@transaction.atomic  # SET LOCAL and the temporary tables' contents belong to one transaction
def draft_lines(period: date) -> int:
    """Insert the metered lines of `period` into the period's draft statements (which must exist
    for every department with resources in service in the month; issued statements get nothing).
    Returns the number of lines."""
    start, end = month_bounds(period)
    month = int((end - start).total_seconds())
    until = end
    dialect = _dialect()
    ops = connection.ops
    chosen_sql, chosen_params = resources_in(start, until).values("pk").query.sql_with_params()
    adapted_until = ops.adapt_datetimefield_value(until)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this transaction only: the sorts of a city's month fit in memory, and the
            # planner's guesses about the temporary tables would otherwise switch on the JIT
            # compiler, which costs more than it saves here.
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL jit = off")
        _prepare_tables(cursor, dialect)
        largest, names = _fill_tables(
            cursor, dialect, (chosen_sql, chosen_params), adapted_until, PriceBook.load(), start, until
        )
        if connection.vendor == "postgresql":
            # Temporary tables are never analysed automatically; without estimates the planner
            # loops over them row by row.
            for table in TEMP_TABLES:
                cursor.execute(f"ANALYZE {table}")
        if not names:
            return 0  # nothing billed in the month
        if largest > INT63:
            raise ValueError(f"quantity × price too large to rate exactly: {largest} (1/10⁸ CNY)")
        d = month * 1_000_000
        epoch_at = dialect["epoch"].format("h.at")
        greatest, least, moment = dialect["greatest"], dialect["least"], dialect["moment"]
        meta = StatementLine._meta
        columns = ", ".join(ops.quote_name(meta.get_field(name.removesuffix("_id")).column) for name in _COLUMNS)
        # '%%' is SQL's modulo once the backend has put the parameters in.
        amount = f"((l.q4 * l.p4) / {d} * (l.e - l.s) + ((l.q4 * l.p4) %% {d} * (l.e - l.s) + {d // 2}) / {d})"
        # The names by CASE, not by a join: a join after the windows gets a row-by-row plan on
        # PostgreSQL (the planner cannot estimate the windows' output).
        keys = sorted(names)
        unit_case = "CASE " + " ".join("WHEN l.unit_no = %s THEN %s" for _ in keys) + " END"
        detail_case = (
            "CASE " + " ".join("WHEN l.unit_no = %s AND l.engine_key = %s THEN %s" for _ in keys) + " ELSE '' END"
        )
        name_params = [v for key in keys for v in (key[0], names[key][0])]
        name_params += [v for key in keys for v in (*key, names[key][1])]
        sql = f"""
        WITH hist AS (
            SELECT h.resource_id AS rid, h.state_after AS st, h.spec_after AS spec, {epoch_at} AS t,
                   LEAD({epoch_at}) OVER (PARTITION BY h.resource_id ORDER BY h.at, h.id) AS t_next
            FROM {ResourceHistory._meta.db_table} h
            WHERE h.at < %s AND h.resource_id IN ({chosen_sql})
        ),
        spans AS (
            SELECT rid, spec, {greatest}(t, {_epoch(start)}) AS s, {least}(COALESCE(t_next, {_epoch(until)}),
                   {_epoch(until)}) AS e
            FROM hist WHERE st IN (%s, %s)
        ),
        pieces AS (
            SELECT sp.rid, r.catalog_item_id AS item, sp.spec, v.version,
                   {greatest}(sp.s, v.f) AS s, {least}(sp.e, v.t) AS e
            FROM spans sp
            JOIN billing_rate_versions v ON v.f < sp.e AND v.t > sp.s
            JOIN {Resource._meta.db_table} r ON r.id = sp.rid
            WHERE sp.e > sp.s
        ),
        rated AS (
            SELECT p.rid, u.unit_no, u.engine_key, u.q4, u.p4, p.s, p.e
            FROM pieces p
            JOIN billing_rates u ON u.catalog_item_id = p.item AND u.spec = p.spec AND u.version = p.version
        ),
        -- Gaps and islands: a piece opens a line unless it continues the previous piece of its
        -- unit (contiguous, same quantity and price). A line runs from its opening piece to the
        -- piece before the next opening one, whose LAG(e) is therefore the line's end, or to the
        -- unit's last piece.
        marked AS (
            SELECT rid, unit_no, engine_key, q4, p4, s,
                   LAG(e) OVER w AS prev_e,
                   CASE WHEN LAG(e) OVER w = s AND LAG(q4) OVER w = q4 AND LAG(p4) OVER w = p4
                        THEN 0 ELSE 1 END AS opens,
                   LAST_VALUE(e) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_e
            FROM rated
            WINDOW w AS (PARTITION BY rid, unit_no, engine_key ORDER BY s)
        ),
        ends AS (
            SELECT rid, unit_no, engine_key, q4, p4, s,
                   COALESCE(LEAD(prev_e) OVER (PARTITION BY rid, unit_no, engine_key ORDER BY s), last_e) AS e
            FROM marked WHERE opens = 1
        )
        INSERT INTO {ops.quote_name(meta.db_table)} ({columns})
        SELECT st.id, l.rid, r.system_id, r.kind, {unit_case}, {detail_case}, l.q4 / {SCALE}.0, l.p4 / {SCALE}.0,
               {moment.format("l.s")}, {moment.format("l.e")}, l.e - l.s, {amount} / 100.0, '', FALSE
        FROM ends l
        JOIN {Resource._meta.db_table} r ON r.id = l.rid
        JOIN {Statement._meta.db_table} st
            ON st.organization_id = r.organization_id AND st.period = %s AND st.state = %s
        """
        cursor.execute(
            sql,
            [
                adapted_until,
                *chosen_params,
                *BILLED_STATES,
                *name_params,
                ops.adapt_datefield_value(period),
                StatementState.DRAFT,
            ],
        )
        return cursor.rowcount
