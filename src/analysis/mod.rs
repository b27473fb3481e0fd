//! The analyses (SPEC §4). Each is a function from what it reads (the
//! `lead_funnel` plan, plus other tables where the spec says so) and its
//! options to lazy tables; `commands/` collects them into a `Report`.
//! Analyses never read files or print.

pub mod bands;

/// Label of a group whose key is null (SPEC §3).
pub const NONE_LABEL: &str = "(none)";
/// Label of the overall row that ends every grouped table (SPEC §3).
pub const ALL_LABEL: &str = "all";
