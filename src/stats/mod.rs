//! Statistics used by the analyses (SPEC §6). This module knows nothing of
//! leads, files or flags. Every function answers `None` (or null, for the
//! polars expressions) where the denominator is empty — never NaN, never a
//! panic. Tests are named after the source of their expected numbers.

pub mod auc;
pub mod chi_square;
pub mod delong;
pub mod delong_paired;
pub mod kaplan_meier;
pub mod logistic;
pub mod mantel_haenszel;
pub mod platt;
pub mod quantile;
pub mod two_proportion;
pub mod wilson;

pub use auc::auc;
pub use chi_square::{chi_square_homogeneity, ChiSquare};
pub use delong::{delong, delong_counts, DeLong};
pub use delong_paired::{delong_paired, AucDifference, Grouped};
pub use kaplan_meier::{Estimate, KaplanMeier, Median, Summary};
pub use mantel_haenszel::{mantel_haenszel, OddsRatio, Stratum};
pub use platt::{platt, platt_counts, Platt};
pub use quantile::{quantile, quantiles};
pub use two_proportion::{two_proportion_z, TwoProportion};
pub use wilson::{wilson, wilson_bounds, Interval};

/// The 97.5% point of the standard normal: the z of a two-sided 95% interval
/// (scipy.stats.norm.ppf(0.975)).
pub const Z95: f64 = 1.959_963_984_540_054;
