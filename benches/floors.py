#!/usr/bin/env python3
"""The least any validate could do, timed in polars and DuckDB (issue 14).

SPEC §7 has every row of every table that names a lead checked against the
used leads (set aside when its lead is unknown). This script times only
that, on a generated data set, and nothing else leadloop does (no
timestamps parsed, no other check, no file written, no set-aside row kept):

  leads    each non-deleted lead id once (the first), with created_at
  <table>  every row of touches, scores, handoffs, activities and deals
           joined to those ids; the rows, and the rows whose lead id (null,
           or not a lead's) found no lead, counted

It prints seconds per step and in total for polars' streaming engine and,
when the duckdb module is installed, DuckDB. Compare with the scan floor
(examples/scan_floor.rs) of the same data: the ratio is the floor under
`validate`'s ratio, whatever leadloop's own code does.

    python benches/floors.py /tmp/leadloop-bench/10000000
"""
import sys
import time

import polars as pl

TABLES = ["touches", "scores", "handoffs", "activities", "deals"]


def timed(label, totals, fn):
    t = time.perf_counter()
    result = fn()
    s = time.perf_counter() - t
    totals.append(s)
    print(f"  {label:<11} {s:6.2f} s  {result}")


def with_polars(data):
    print("polars", pl.__version__)
    totals = []
    ids = {}

    def leads():
        ids["frame"] = (
            pl.scan_parquet(f"{data}/leads.parquet")
            .filter(~pl.col("is_deleted").fill_null(False))
            .select("lead_id", "created_at", pl.lit(True).alias("found"))
            .unique("lead_id", keep="first", maintain_order=True)
            .collect(engine="streaming")
        )
        return ids["frame"].height

    timed("leads", totals, leads)
    for t in TABLES:
        timed(
            t,
            totals,
            lambda t=t: pl.scan_parquet(f"{data}/{t}.parquet")
            .join(ids["frame"].lazy(), on="lead_id", how="left")
            .select(pl.len(), pl.col("found").is_null().sum())
            .collect(engine="streaming")
            .row(0),
        )
    print(f"  {'total':<11} {sum(totals):6.2f} s")


def with_duckdb(data):
    try:
        import duckdb
    except ImportError:
        print("duckdb: not installed, skipped")
        return
    print("duckdb", duckdb.__version__)
    con = duckdb.connect()
    totals = []

    def leads():
        con.execute(
            "create temp table ids as select lead_id, first(created_at) as created_at "
            f"from read_parquet('{data}/leads.parquet') "
            "where not coalesce(is_deleted, false) group by lead_id"
        )
        return con.execute("select count(*) from ids").fetchone()[0]

    timed("leads", totals, leads)
    for t in TABLES:
        timed(
            t,
            totals,
            lambda t=t: con.execute(
                "select count(*), count(*) filter (where i.lead_id is null) "
                f"from read_parquet('{data}/{t}.parquet') x left join ids i using (lead_id)"
            ).fetchone(),
        )
    print(f"  {'total':<11} {sum(totals):6.2f} s")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: floors.py DATA_DIR (a folder written by leadloop generate)")
    with_polars(sys.argv[1])
    with_duckdb(sys.argv[1])
