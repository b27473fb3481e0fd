//! `leadloop recalibrate`: proposed weights and thresholds, checked out of time.

use std::io::Write;

use super::Context;
use crate::analysis::recalibrate::{Choice, Options, Target};
use crate::analysis::rules::Rules;
use crate::cli::{RecalibrateArgs, TargetArg};
use crate::error::{Error, Result};

pub fn run(ctx: &Context, args: &RecalibrateArgs, stdout: &mut dyn Write) -> Result<()> {
    let thresholds = match (&args.capacity, &args.target_rate) {
        (Some(c), _) => {
            if !(*c > 0.0 && c.is_finite()) {
                return Err(Error::bad_argument(format!(
                    "--capacity must be a positive number of leads a month, got {c}"
                )));
            }
            Choice::Capacity(*c)
        }
        (None, Some(pairs)) => Choice::TargetRate(target_rates(pairs)?),
        (None, None) => Choice::Shares,
    };
    let options = Options {
        target: match args.target {
            TargetArg::Sql => Target::Sql,
            TargetArg::Won => Target::Won,
        },
        rules: args.rules.as_deref().map(Rules::read).transpose()?,
        features: args.features.clone(),
        train_share: args.train_share,
        l2: args.l2,
        window_days: args.window,
        thresholds,
        require_score: false,
    };
    match &args.rules {
        Some(path) => {
            super::analyse(ctx, &options, stdout).map_err(|e| super::score::rule_failed(e, path))
        }
        None => super::analyse(ctx, &options, stdout),
    }
}

/// `A=0.4,B=0.2` → [(A, 0.4), (B, 0.2)]: rates in (0, 1], bands once each.
fn target_rates(pairs: &[String]) -> Result<Vec<(String, f64)>> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for p in pairs {
        let bad = || {
            Error::bad_argument(format!(
                "--target-rate {p}: expected BAND=RATE with a rate between 0 and 1, e.g. A=0.4"
            ))
        };
        let (band, rate) = p.split_once('=').ok_or_else(bad)?;
        let rate: f64 = rate.trim().parse().map_err(|_| bad())?;
        if !(rate > 0.0 && rate <= 1.0) || band.trim().is_empty() {
            return Err(bad());
        }
        if out.iter().any(|(b, _)| b == band.trim()) {
            return Err(Error::bad_argument(format!(
                "--target-rate: band {} given twice",
                band.trim()
            )));
        }
        if let Some((above, r)) = out.last() {
            if rate >= *r {
                return Err(Error::bad_argument(format!(
                    "--target-rate: give the best band first, each with a lower rate than the one before ({above}={r} then {}={rate}); e.g. A=0.4,B=0.2",
                    band.trim()
                )));
            }
        }
        out.push((band.trim().to_string(), rate));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_rates_parse_and_reject() {
        let got = target_rates(&["A=0.4".into(), "B = 0.2".into()]).unwrap();
        assert_eq!(got, [("A".to_string(), 0.4), ("B".to_string(), 0.2)]);
        assert!(target_rates(&["A=40%".into()]).is_err());
        assert!(target_rates(&["A=1.5".into()]).is_err());
        assert!(target_rates(&["A=0.4".into(), "A=0.3".into()]).is_err());
        // Best band first: rates must fall.
        assert!(target_rates(&["B=0.2".into(), "A=0.4".into()]).is_err());
    }
}
