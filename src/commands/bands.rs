//! `leadloop bands`: conversion by score band, with intervals, a test of
//! whether the bands differ, inversions, and the score's AUC for `won`.

use std::io::Write;

use polars::prelude::*;

use super::Context;
use crate::analysis::bands::{self, Options};
use crate::cli::BandsArgs;
use crate::error::{Error, Result};
use crate::output::Report;
use crate::quality::{Checked, Ledger};

pub fn run(ctx: &Context, args: &BandsArgs, stdout: &mut dyn Write) -> Result<()> {
    if let Some(w) = args.window {
        super::positive("--window", w, " of days")?;
    }
    let checked = ctx.checked()?;
    super::finish(ctx, &checked, stdout, |c, funnel, ledger| {
        report(c, funnel, ledger, args)
    })
}

/// The bands report of a judged data set; `funnel` is the materialised
/// `lead_funnel` (SPEC §5: built once per run); `ledger` is cited in its notes.
pub fn report(
    checked: &Checked,
    funnel: LazyFrame,
    ledger: &Ledger,
    args: &BandsArgs,
) -> Result<Report> {
    let super::AsOf {
        micros: as_of,
        note: as_of_note,
    } = super::as_of(checked, ledger);
    let band_order = super::band_order(checked);
    let opts = Options {
        by: args.by.clone(),
        window_days: args.window,
        strict: args.strict,
        as_of,
        band_order: band_order.clone(),
    };
    let won = if args.strict {
        "recorded_won"
    } else {
        "reached_won"
    };
    // Both results in one run over the materialised lead_funnel.
    let plans = vec![
        bands::table(funnel.clone(), &opts)?.logical_plan,
        funnel
            .select([col("score_at_mql"), col(won)])
            .filter(col("score_at_mql").is_not_null())
            .logical_plan,
    ];
    let mut results = LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default())?;
    let (Some(scored), Some(table)) = (results.pop(), results.pop()) else {
        return Err(Error::Internal("bands: expected two results".into()));
    };
    let pairs: Vec<(f64, bool)> = scored
        .column("score_at_mql")?
        .f64()?
        .iter()
        .zip(scored.column(won)?.bool()?.iter())
        .filter_map(|(s, w)| Some((s?, w.unwrap_or(false))))
        .collect();
    let auc = crate::stats::auc(&pairs);

    let mut report = Report::new("bands");
    let plain = args.by.is_empty() && args.window.is_none();
    let (mut test_names, mut stat, mut df_col, mut p) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    test_names.push("auc_score_for_won");
    stat.push(auc);
    df_col.push(None::<u64>);
    p.push(None::<f64>);
    if plain {
        let chi = bands::chi_square(&table, &band_order)?;
        test_names.push("chi_square_mql_to_sql_across_bands");
        stat.push(chi.map(|c| c.statistic));
        df_col.push(chi.map(|c| c.df));
        p.push(chi.map(|c| c.p_value));
    }
    report = report.table(
        "bands",
        "Conversion by score band (at first MQL)",
        table.clone(),
    );
    report = report.table(
        "tests",
        "Does the score separate outcomes?",
        df!("test" => test_names, "statistic" => stat, "df" => df_col, "p_value" => p)?,
    );
    if plain {
        let inv = bands::inversions(&table, &band_order)?;
        report = report.table(
            "inversions",
            "Higher bands that convert worse than the band below",
            df!(
                "rate" => inv.iter().map(|i| i.rate).collect::<Vec<_>>(),
                "higher" => inv.iter().map(|i| i.higher.clone()).collect::<Vec<_>>(),
                "lower" => inv.iter().map(|i| i.lower.clone()).collect::<Vec<_>>(),
                "higher_rate" => inv.iter().map(|i| i.higher_rate).collect::<Vec<_>>(),
                "lower_rate" => inv.iter().map(|i| i.lower_rate).collect::<Vec<_>>(),
                "intervals_overlap" => inv.iter().map(|i| i.intervals_overlap).collect::<Vec<_>>(),
            )?,
        );
        for i in &inv {
            report.notes.push(format!(
                "band {} converts worse than band {} on {} ({:.1}% vs {:.1}%); their 95% intervals {}",
                i.higher,
                i.lower,
                i.rate,
                i.higher_rate * 100.0,
                i.lower_rate * 100.0,
                if i.intervals_overlap { "overlap, so this may be noise" } else { "do not overlap" }
            ));
        }
    }
    report.notes.push(as_of_note);
    if args.strict {
        report
            .notes
            .push("--strict: only recorded events count (no cumulative reach)".into());
    }
    if let Some(w) = args.window {
        report.notes.push(format!(
            "--window {w}: a stage counts only if reached within {w} days of the first MQL; rows with mature = false are cohorts whose window has not elapsed by as_of, never added into mature totals; stages known only by a flag are not counted"
        ));
    }
    report.notes.push(ledger.summary());
    Ok(report)
}
