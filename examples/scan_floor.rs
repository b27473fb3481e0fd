//! The scan floor `benches/time-cli.sh` divides by: decode every column of
//! every Parquet table of a data folder once (streaming, one maximum per
//! column so nothing is skipped), and nothing else.
//!
//!     cargo run --release --example scan_floor -- /tmp/leadloop-bench/1000000

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: scan_floor DIR");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    paths.sort();
    for path in paths {
        let start = std::time::Instant::now();
        let target = PlRefPath::try_from_path(&path)?;
        let maxima = LazyFrame::scan_parquet(target, ScanArgsParquet::default())?
            .select([all().as_expr().max()])
            .collect_with_engine(Engine::Streaming)?
            .unwrap_single();
        println!(
            "{}: {} columns, {:.2} s",
            path.display(),
            maxima.width(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
