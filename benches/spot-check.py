#!/usr/bin/env python3
"""Spot-checks lead_funnel at scale against leadloop on a sample of leads.

A sample of leads (every lead whose id hashes to 0 modulo EVERY) is cut
out of a large data set with every row of every table that names one of
them; leadloop runs on that small data set, and each sampled lead's row of
lead_funnel there must equal its row in the large run's lead_funnel, cell
for cell. The small run is the path the test suite checks by hand; the
large one adds what only scale exercises (pieces, streaming, the cache).

    python benches/spot-check.py DATA LEAD_FUNNEL LEADLOOP [EVERY]

DATA is the generated data set (`leadloop generate`), LEAD_FUNNEL the
large run's lead_funnel: the file `leadloop export lead_funnel` wrote, or
the large run's cache entry (a folder: its lead_funnel.parquet holds the
facts and its leads_keyed.parquet the leads' own columns, row beside
row), LEADLOOP the binary. Needs Python polars; prints the
mismatching cells and exits 1 if there are any.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

TABLES = ["leads", "deals", "handoffs", "touches", "scores", "activities"]


def naive_utc(s: pl.Series) -> pl.Series:
    """Times as UTC without a zone: export writes them with one, the
    store keeps them without."""
    if isinstance(s.dtype, pl.Datetime) and s.dtype.time_zone is not None:
        return s.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return s


def main() -> int:
    data, funnel, leadloop = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    every = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
    ids = (
        pl.scan_parquet(data / "leads.parquet")
        .select("lead_id")
        .filter(pl.col("lead_id").hash(seed=0) % every == 0)
        .unique()
        .collect()
    )
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "data"
        small.mkdir()
        for t in TABLES:
            (
                pl.scan_parquet(data / f"{t}.parquet")
                .join(ids.lazy(), on="lead_id", how="semi", maintain_order="left")
                .sink_parquet(small / f"{t}.parquet")
            )
        # Spend is per source and campaign, not per lead: kept whole.
        pl.read_parquet(data / "spend.parquet").write_parquet(small / "spend.parquet")
        out = Path(tmp) / "out"
        subprocess.run(
            [leadloop, "--data", str(small), "--no-cache", "--out", str(out),
             "export", "lead_funnel"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        mine = pl.read_parquet(out / "lead_funnel.parquet")
    if funnel.is_dir():
        whole = pl.concat(
            [pl.scan_parquet(funnel / "leads_keyed.parquet"),
             pl.scan_parquet(funnel / "lead_funnel.parquet")],
            how="horizontal",
        ).drop("__lead_row")
    else:
        whole = pl.scan_parquet(funnel)
    large = whole.join(ids.lazy(), on="lead_id", how="semi").collect()
    print(f"{ids.height} leads sampled (1 in {every}); {mine.height} used in the "
          f"sample's run, {large.height} in the large run")
    bad = 0
    if mine.height != large.height:
        print("different used leads")
        bad += 1
    both = mine.join(large, on="lead_id", how="inner", suffix="__large")
    for c in mine.columns:
        if c == "lead_id" or f"{c}__large" not in both.columns:
            continue
        a, b = (naive_utc(s) for s in (both[c], both[f"{c}__large"]))
        if a.dtype.is_float():
            same = ((a - b).abs() <= 1e-9 * b.abs().clip(1.0, None)) | (a.is_null() & b.is_null())
        else:
            same = (a == b) | (a.is_null() & b.is_null())
        wrong = both.filter(~same.fill_null(False))
        if wrong.height:
            bad += 1
            print(f"{c}: {wrong.height} leads differ, e.g.")
            print(wrong.select("lead_id", c, f"{c}__large").head(3))
    print(f"{len(mine.columns) - 1} columns compared: "
          + ("every cell equal" if bad == 0 else f"{bad} differ"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
