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
row), LEADLOOP the binary (a path, or a name on PATH), EVERY a whole
number from 1 (default 100,000). The sample's run uses `--no-cache`, so
it leaves no cache entry behind. Needs Python polars; prints the
mismatching cells, or the columns one side lacks, and exits 1 if there
are any; a wrong argument is one line on stderr and exit 2.
"""

import shutil
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


def fail(why: str) -> int:
    print(f"spot-check: {why}", file=sys.stderr)
    return 2


def large_funnel(funnel: Path) -> pl.LazyFrame | str:
    """The large run's lead_funnel with its lead ids, or why not."""
    if funnel.is_dir():
        parts = [funnel / "leads_keyed.parquet", funnel / "lead_funnel.parquet"]
        missing = [p.name for p in parts if not p.is_file()]
        if missing:
            return (f"{funnel} is not a cache entry with lead_funnel built "
                    f"(no {' or '.join(missing)})")
        return pl.concat(
            [pl.scan_parquet(p) for p in parts], how="horizontal"
        ).drop("__lead_row")
    if not funnel.is_file():
        return f"{funnel}: no such file or cache entry"
    frame = pl.scan_parquet(funnel)
    if "lead_id" not in frame.collect_schema().names():
        return (f"{funnel} has no lead_id column: give the cache entry's "
                "folder (its lead_funnel.parquet holds the facts only) or "
                "the file `leadloop export lead_funnel` wrote")
    return frame


def main() -> int:
    if len(sys.argv) not in (4, 5):
        return fail("usage: spot-check.py DATA LEAD_FUNNEL LEADLOOP [EVERY]")
    data, funnel, leadloop = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    every = sys.argv[4] if len(sys.argv) > 4 else "100000"
    if not every.isdigit() or int(every) < 1:
        return fail(f"EVERY {every!r}: give a whole number from 1")
    every = int(every)
    missing = [t for t in TABLES if not (data / f"{t}.parquet").is_file()]
    if missing:
        return fail(f"{data}: no {', '.join(t + '.parquet' for t in missing)} "
                    "(DATA is a folder `leadloop generate` wrote)")
    if shutil.which(leadloop) is None:
        return fail(f"{leadloop}: no such program")
    whole = large_funnel(funnel)
    if isinstance(whole, str):
        return fail(whole)
    ids = (
        pl.scan_parquet(data / "leads.parquet")
        .select("lead_id")
        .filter(pl.col("lead_id").hash(seed=0) % every == 0)
        .unique()
        .collect()
    )
    if ids.height == 0:
        return fail(f"no lead id hashes to 0 mod {every}: give a smaller EVERY")
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
        run = subprocess.run(
            [leadloop, "--data", str(small), "--no-cache", "--out", str(out),
             "export", "lead_funnel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or [""])[-1]
            return fail(f"leadloop on the sample exited {run.returncode}: {last}")
        mine = pl.read_parquet(out / "lead_funnel.parquet")
    large = whole.join(ids.lazy(), on="lead_id", how="semi").collect()
    print(f"{ids.height} leads sampled (1 in {every}); {mine.height} used in the "
          f"sample's run, {large.height} in the large run")
    bad = 0
    if mine.height != large.height:
        print("different used leads")
        bad += 1
    # Every column of the sample's lead_funnel is on the large side, or
    # the check would pass on what it never compared. A cache entry's used
    # leads keep columns lead_funnel leaves out (the leads' own `score`:
    # lead_funnel has score_at_mql): named, not compared.
    absent = [c for c in mine.columns if c not in large.columns]
    if absent:
        bad += 1
        print(f"the large run's lead_funnel lacks {', '.join(absent)}")
    extra = [c for c in large.columns if c not in mine.columns]
    if extra and funnel.is_dir():
        print(f"not in lead_funnel, so not compared: {', '.join(extra)}")
    elif extra:
        bad += 1
        print(f"the sample's lead_funnel lacks {', '.join(extra)}")
    both = mine.join(large, on="lead_id", how="inner", suffix="__large")
    compared = 0
    for c in mine.columns:
        if c == "lead_id" or f"{c}__large" not in both.columns:
            continue
        compared += 1
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
    print(f"{compared} columns compared: "
          + ("every cell equal" if bad == 0 else f"{bad} differ"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
