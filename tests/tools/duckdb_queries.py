"""Runs leadloop's queries/*.sql unchanged on DuckDB over `leadloop export`
output, and prints each result as JSON (one object: query name -> rows).

Usage: python duckdb_queries.py EXPORT_DIR QUERIES_DIR

EXPORT_DIR holds lead_funnel/ (hive-partitioned: export lead_funnel
--partition-by created_month) and <table>.parquet for the input tables the
queries read. Timestamps are printed as ISO-8601 UTC with a Z, numbers as
numbers, so the test can compare them with `leadloop query --format json`.
"""
import datetime
import json
import pathlib
import sys

import duckdb

export, queries = map(pathlib.Path, sys.argv[1:3])
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute(
    f"CREATE VIEW lead_funnel AS SELECT * FROM read_parquet('{export}/lead_funnel/*/*.parquet', "
    "hive_partitioning = true, hive_types = {'created_month': VARCHAR})"
)
for table in export.glob("*.parquet"):
    con.execute(f"CREATE VIEW {table.stem} AS SELECT * FROM read_parquet('{table}')")


def cell(v):
    if isinstance(v, datetime.datetime):
        v = v.astimezone(datetime.timezone.utc) if v.tzinfo else v
        return v.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".") + "Z"
    if hasattr(v, "is_integer") or isinstance(v, int) or v is None or isinstance(v, str):
        return v
    return float(v)


out = {}
for q in sorted(queries.glob("*.sql")):
    cur = con.execute(q.read_text())
    names = [d[0] for d in cur.description]
    out[q.stem] = [dict(zip(names, map(cell, row))) for row in cur.fetchall()]
print(json.dumps(out))
