//! Every touch model's credits in one pass over each won deal's path
//! (what `roi` runs): the same definitions as [`super::eligible`] with
//! [`super::credits_together`], which stay as the expressions' reference
//! (a proptest holds the two to the bit; Markov within 1e-12).
//!
//! Why a pass and not the expressions: a deal's path is a handful of rows,
//! and the expressions need about twenty per-deal windows (path length,
//! milestones, each model's spread and normaliser) over every eligible row,
//! which polars 0.55 evaluated at about 0.1–0.5 s each at 10M leads (433K
//! won deals, 1.9M eligible rows; `LEADLOOP_PROFILE`): 3.3–3.6 s of a warm
//! `roi --model all`. The pass sorts the touches once and walks each deal's
//! path: the warm command went from 10.85 to 8.09 s (median of 4, paired).

use polars::prelude::*;

use super::{
    markov, positional, Model, DEAL, DEAL_CLOSED, DEAL_CREATED, GROUP, LEAD_CREATED, TOUCH,
};
use crate::error::{Error, Result};
use crate::input::schema::{AT, LEAD_ROW};
use crate::input::time::{whole_micros_of, DAY_US};

/// The touches of the deals' leads, sorted once by (lead, time, file
/// order) with their sources interned, for [`Paths::credits`].
pub struct Paths<'a> {
    /// (lead row, time in µs, file order, source code), touches with a time.
    steps: Vec<(u32, i64, u32, u32)>,
    names: Vec<&'a str>,
}

fn times(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let c = whole_micros_of(df.column(name)?)?;
    Ok(c.i64()?.iter().collect())
}

fn rows(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>> {
    let c = df.column(name)?.cast(&DataType::UInt32)?;
    Ok(c.u32()?.iter().collect())
}

impl<'a> Paths<'a> {
    /// `touches` is [`LEAD_ROW`], [`AT`], [`GROUP`], [`TOUCH`] (file
    /// order); a touch without a time is on no path.
    pub fn new(touches: &'a DataFrame) -> Result<Self> {
        let lead = rows(touches, LEAD_ROW)?;
        let at = times(touches, AT)?;
        let touch = rows(touches, TOUCH)?;
        let mut names: Vec<&str> = Vec::new();
        let mut code_of: PlHashMap<&str, u32> = PlHashMap::new();
        let mut steps = Vec::with_capacity(touches.height());
        for (i, g) in touches.column(GROUP)?.str()?.iter().enumerate() {
            let (Some(lead), Some(at)) = (lead[i], at[i]) else {
                continue;
            };
            let g =
                g.ok_or_else(|| Error::Internal("attribution: a touch without a group".into()))?;
            let fresh = names.len() as u32;
            let code = *code_of.entry(g).or_insert(fresh);
            if code == fresh {
                names.push(g);
            }
            steps.push((lead, at, touch[i].unwrap_or(u32::MAX), code));
        }
        steps.sort_unstable_by_key(|&(lead, at, touch, _)| (lead, at, touch));
        Ok(Paths { steps, names })
    }

    /// `__deal, __group` and each model's [`super::credit_column`] (the
    /// deal's credit to that source; a deal's credits sum to 1), one row per
    /// distinct source on a deal's eligible path, deals in the order given
    /// and sources in the order first met on the path.
    ///
    /// `deals` is [`DEAL`], [`LEAD_ROW`], [`DEAL_CREATED`], [`DEAL_CLOSED`],
    /// [`LEAD_CREATED`]. A deal's path is its lead's touches at or before
    /// the deal's creation (its close when `until_close`), by time, ties in
    /// file order.
    ///
    /// Errors: `lead_source` among `models`, or Markov without `removal`.
    pub fn credits(
        &self,
        models: &[Model],
        deals: &DataFrame,
        until_close: bool,
        half_life_days: f64,
        removal: Option<&markov::Removal>,
    ) -> Result<DataFrame> {
        for &m in models {
            match m {
                Model::LeadSource => {
                    return Err(Error::Internal(
                        "lead_source attributes through the lead, not touches".into(),
                    ))
                }
                Model::Markov if removal.is_none() => {
                    return Err(Error::Internal(
                        "markov credit needs its removal effects".into(),
                    ))
                }
                _ => {}
            }
        }
        let (path, names) = (&self.steps, &self.names);
        // Each source's removal effect (0 when the chain never met it).
        let effect: Vec<f64> = match removal {
            Some(r) => {
                let by_name: PlHashMap<&str, f64> = r
                    .groups
                    .iter()
                    .map(String::as_str)
                    .zip(r.effect.iter().copied())
                    .collect();
                names
                    .iter()
                    .map(|n| by_name.get(n).copied().unwrap_or(0.0))
                    .collect()
            }
            None => vec![0.0; names.len()],
        };

        let d_deal = rows(deals, DEAL)?;
        let d_lead = rows(deals, LEAD_ROW)?;
        let d_limit = times(
            deals,
            if until_close {
                DEAL_CLOSED
            } else {
                DEAL_CREATED
            },
        )?;
        let d_created = times(deals, DEAL_CREATED)?;
        let d_lead_created = times(deals, LEAD_CREATED)?;

        let k = models.len();
        let mut out_deal: Vec<u32> = Vec::new();
        let mut out_group: Vec<&str> = Vec::new();
        let mut out_credit: Vec<Vec<f64>> = vec![Vec::new(); k];
        // Per deal, reused: each row's weight per model, and the sources met.
        let mut weights: Vec<f64> = Vec::new();
        let mut sources: Vec<u32> = Vec::new();
        let mut pairs: Vec<Kahan> = Vec::new();
        for d in 0..deals.height() {
            let (Some(deal), Some(lead), Some(limit)) = (d_deal[d], d_lead[d], d_limit[d]) else {
                continue;
            };
            let from = path.partition_point(|t| t.0 < lead);
            let lead_touches = &path[from..];
            let len = lead_touches.partition_point(|t| t.0 == lead && t.1 <= limit);
            let steps = &lead_touches[..len];
            let n = steps.len();
            if n == 0 {
                continue;
            }
            // The last touch at or before a time; the first when none is.
            let milestone = |time: Option<i64>| match time {
                Some(time) => steps.partition_point(|t| t.1 <= time).saturating_sub(1),
                None => 0,
            };
            let position = Position {
                n,
                lc: milestone(d_lead_created[d]),
                oc: milestone(d_created[d]),
            };
            sources.clear();
            for s in steps {
                if !sources.contains(&s.3) {
                    sources.push(s.3);
                }
            }
            let first = out_deal.len();
            for &s in &sources {
                out_deal.push(deal);
                out_group.push(names[s as usize]);
            }
            for (m, &model) in models.iter().enumerate() {
                let credit = &mut out_credit[m];
                credit.resize(first + sources.len(), 0.0);
                let credit = &mut credit[first..];
                if model == Model::Markov {
                    // Each distinct source by its removal effect, or equally.
                    let mut total = Kahan::default();
                    for &s in &sources {
                        total.add(effect[s as usize]);
                    }
                    let total = total.sum;
                    for (c, &s) in credit.iter_mut().zip(&sources) {
                        *c = match total > 0.0 {
                            true => effect[s as usize] / total,
                            false => 1.0 / sources.len() as f64,
                        };
                    }
                    continue;
                }
                weights.clear();
                match model {
                    Model::TimeDecay => {
                        // 2^(−(age − youngest)/half-life), age in days before
                        // the deal's creation (`time_decay`).
                        // polars divides by a number as it multiplies by
                        // its reciprocal: so here, to the last bit.
                        let created = d_created[d].map_or(f64::NAN, |c| c as f64);
                        let per_day = 1.0 / DAY_US;
                        let per_half_life = 1.0 / half_life_days;
                        let age = |t: &(u32, i64, u32, u32)| (created - t.1 as f64) * per_day;
                        let youngest = steps.iter().map(age).fold(f64::INFINITY, f64::min);
                        weights.extend(steps.iter().map(|t| {
                            (-std::f64::consts::LN_2 * (age(t) - youngest) * per_half_life).exp()
                        }));
                    }
                    _ => positional::weights(model, &position, &mut weights)?,
                }
                // Each row's share of the deal, added per source in path
                // order, as polars sums a window and a group (below).
                let sum = float_sum(&weights);
                pairs.clear();
                pairs.resize(sources.len(), Kahan::default());
                for (w, t) in weights.iter().zip(steps) {
                    let s = sources.iter().position(|&s| s == t.3).unwrap_or(0);
                    pairs[s].add(w / sum);
                }
                for (c, k) in credit.iter_mut().zip(&pairs) {
                    *c = k.sum;
                }
            }
        }
        let height = out_deal.len();
        let mut columns = vec![
            Column::new(DEAL.into(), out_deal),
            Column::new(GROUP.into(), out_group),
        ];
        for (m, credit) in models.iter().zip(out_credit) {
            columns.push(Column::new(super::credit_column(*m).into(), credit));
        }
        Ok(DataFrame::new(height, columns)?)
    }
}

/// Where a row sits on its deal's path: `n` rows, the lead-creation
/// milestone at `lc` and the opportunity-creation one at `oc` (0-based).
pub(super) struct Position {
    pub n: usize,
    pub lc: usize,
    pub oc: usize,
}

/// A compensated sum as polars 0.55 adds a group's floats (`KahanSum` of
/// polars-utils: the error kept only while finite, the sum read without it).
#[derive(Debug, Clone, Copy, Default)]
struct Kahan {
    sum: f64,
    err: f64,
}

impl Kahan {
    fn add(&mut self, x: f64) {
        let y = x - self.err;
        let sum = self.sum + y;
        let err = (sum - self.sum) - y;
        self.sum = sum;
        if err.is_finite() {
            self.err = err;
        }
    }
}

/// The sum of `values` as polars 0.55 sums a float column (`float_sum` of
/// polars-compute): the first `len % 128` values one after another, the
/// rest in blocks of 128, each added in 16 lanes then folded, the blocks
/// pairwise; then the two parts added. A deal's normaliser is such a sum
/// (a window over the deal's rows), so the shares match to the last bit.
fn float_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    const LANES: usize = 16;
    fn block(b: &[f64]) -> f64 {
        let mut lanes = [0.0f64; LANES];
        for chunk in b.chunks_exact(LANES) {
            for (l, x) in lanes.iter_mut().zip(chunk) {
                *l += x;
            }
        }
        let mut width = LANES;
        while width > 4 {
            for j in 0..width / 2 {
                lanes[j] += lanes[width / 2 + j];
            }
            width /= 2;
        }
        (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
    }
    fn pairwise(v: &[f64]) -> f64 {
        if v.len() == BLOCK {
            return block(v);
        }
        let left = (v.len() / BLOCK / 2) * BLOCK;
        pairwise(&v[..left]) + pairwise(&v[left..])
    }
    let (rest, main) = values.split_at(values.len() % BLOCK);
    let main = match main.is_empty() {
        true => 0.0,
        false => pairwise(main),
    };
    main + rest.iter().sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `float_sum` is polars' own sum, to the bit, on paths of every length
    /// up to 600 (blocks, remainders, pairwise halves).
    #[test]
    fn float_sum_is_polars_sum() {
        let mut x = 0.1f64;
        let values: Vec<f64> = (0..600)
            .map(|i| {
                x = (x * 7.3 + 0.37).fract();
                x * 10f64.powi(i % 7 - 3)
            })
            .collect();
        for n in 0..values.len() {
            let v = &values[..n];
            let polars = Series::new("v".into(), v).sum::<f64>().unwrap();
            assert_eq!(float_sum(v).to_bits(), polars.to_bits(), "n = {n}");
        }
    }

    /// Kahan keeps 6 × 1/6 at 1 where a plain sum gives 0.9999999999999999
    /// (what polars' group sums give, and what a breaker's 123,456,789,012.34
    /// deal over six touches of one source needs to reconcile).
    #[test]
    fn kahan_keeps_six_sixths_whole() {
        let mut k = Kahan::default();
        for _ in 0..6 {
            k.add(1.0 / 6.0);
        }
        assert_eq!(k.sum, 1.0);
        assert_ne!((0..6).map(|_| 1.0 / 6.0).sum::<f64>(), 1.0);
    }
}
