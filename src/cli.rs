//! The command line (SPEC §8), as clap derive types. Doc comments are the
//! `--help` text; this module records what the user typed and nothing else.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::analysis::roi::{GroupBy, Models};
use crate::analysis::winloss::{Baseline, Month};
pub use crate::config::AsOfInput as AsOfArg;
use crate::output::Format;

/// A positive, finite number (`--window`, `--sla-hours`, …), not below
/// f64's smallest normal number: below it 1/x is infinite (a breaker's
/// `--half-life-days 1e-310` made every time_decay weight 0 × ∞ = NaN and
/// lost the revenue).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Positive(pub f64);

impl std::str::FromStr for Positive {
    type Err = String;

    fn from_str(s: &str) -> Result<Positive, String> {
        match s.trim().parse::<f64>() {
            Ok(v) if v >= f64::MIN_POSITIVE && v.is_finite() => Ok(Positive(v)),
            _ => Err("give a positive number".into()),
        }
    }
}

impl std::fmt::Display for Positive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A calendar date, `YYYY-MM-DD`.
fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| "give a date as YYYY-MM-DD".into())
}

const EXAMPLES: &str = "\
Examples:
  leadloop report                           every analysis of data-samples/ into reports/
  leadloop validate                         account for every row of data-samples/
  leadloop --data exports/leadloop.toml validate --quarantine-out bad/
  leadloop export lead_funnel --out exports/ write the per-lead fact table
  leadloop generate --leads 100000 --seed 7 --out demo/";

/// Closed-loop funnel analytics: which leads convert, which sources pay
/// back, how many qualified leads sales never calls, and what moved win rate.
///
/// leadloop reads the lead, handoff, deal, score, spend and touch extracts
/// your marketing automation and CRM already produce (Parquet or CSV) and
/// answers those questions from one command.
#[derive(Debug, Parser)]
#[command(name = "leadloop", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// The data set: a folder of tables (leads.parquet, deals.csv, …) or a leadloop.toml.
    #[arg(
        long,
        global = true,
        value_name = "DIR|leadloop.toml",
        default_value = "data-samples/"
    )]
    pub data: PathBuf,

    /// Judge maturity as of the end of this day (YYYY-MM-DD, in the configured time zone).
    /// Default: the latest timestamp in the data.
    #[arg(long, global = true, value_name = "DATE")]
    pub as_of: Option<AsOfArg>,

    /// Output format. Default: a table on the terminal, CSV files with --out (export: Parquet).
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Write each table into this folder instead of printing it.
    #[arg(long, global = true, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Print where the time went on stderr at the end: each phase (reading and
    /// judging, the ledger, lead_funnel, each analysis step, writing) with its
    /// seconds and the peak memory so far, then whether the cache was cold
    /// (this run fills it), warm (read from it) or off.
    #[arg(long, global = true)]
    pub timings: bool,

    /// Read and judge the inputs afresh, and keep nothing for the next run. By
    /// default the judged tables and lead_funnel are cached (in
    /// $LEADLOOP_CACHE_DIR, else $XDG_CACHE_HOME/leadloop or ~/.cache/leadloop),
    /// keyed by the inputs' paths, sizes and times, the configuration and the
    /// build, so the next command on the same export starts from them; a
    /// newer export replaces the older entry, and entries unused for 30 days
    /// go. Also off with `cache = false` in leadloop.toml or LEADLOOP_CACHE=off.
    #[arg(long, global = true)]
    pub no_cache: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every analysis over the data set into one folder (default reports/).
    ///
    /// Writes each table as CSV (or Parquet with --format parquet), a
    /// summary.json with the headline figures and the data-quality ledger,
    /// report.html (one self-contained page of charts and tables to open or
    /// forward), and prints a short summary. All files are written together or not at all.
    ///
    /// Example: leadloop --data exports/ report --out reports/
    Report,
    Validate(ValidateArgs),
    Bands(BandsArgs),
    Contact(ContactArgs),
    Roi(RoiArgs),
    Winloss(WinlossArgs),
    Velocity(VelocityArgs),
    Score(ScoreArgs),
    Recalibrate(RecalibrateArgs),
    Query(QueryArgs),
    Export(ExportArgs),
    Generate(GenerateArgs),
    Completions(CompletionsArgs),
    /// Print leadloop's man page (roff) on standard output.
    ///
    /// Generated from the same definitions as --help.
    ///
    /// Example: leadloop man > ~/.local/share/man/man1/leadloop.1
    Man,
}

/// Print a shell completion script on standard output.
///
/// Generated from the same definitions as --help, so it offers every
/// command, option and choice.
///
/// Example: leadloop completions bash > ~/.local/share/bash-completion/completions/leadloop
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Does a higher score band really convert better, and is the difference real?
///
/// Per band of the score at first MQL: leads, MQLs, contacted, SQLs,
/// opportunities, won leads and revenue, with mql_to_sql, sql_to_won and
/// lead_to_won and their 95% Wilson intervals; a chi-square test across
/// bands, the score's AUC for won, and any higher band that converts worse.
///
/// Example: leadloop bands --by source --window 90
#[derive(Debug, Args)]
pub struct BandsArgs {
    /// Split by a lead column (repeatable); `month` is the first-MQL month.
    #[arg(long, value_name = "DIM")]
    pub by: Vec<String>,
    /// Count a stage only if reached within DAYS of the first MQL; splits rows by maturity.
    #[arg(long, allow_hyphen_values = true, value_name = "DAYS")]
    pub window: Option<Positive>,
    /// Count recorded events only (no cumulative reach).
    #[arg(long)]
    pub strict: bool,
}

/// How many MQLs sales never contacts, how fast it contacts the rest, and what that costs.
///
/// Per group of MQLs (by rep by default): MQLs, mature MQLs (SLA window
/// elapsed), contacted, contacted within the SLA, never contacted, black hole
/// (never contacted and older than --black-hole-days), contact and SLA rates
/// with 95% intervals, median and p90 hours to first contact, and SQL rates
/// of contacted and uncontacted MQLs. Then speed to lead: SQL rate by
/// contact-speed bucket, overall and within each score band, with the
/// band-adjusted (Mantel-Haenszel) odds ratio of SQL for contact within the
/// SLA; and the MQL->SQL gap (SQL / contacted, not SQL / neither).
///
/// Example: leadloop contact --by rep --sla-hours 4
#[derive(Debug, Args)]
pub struct ContactArgs {
    /// Split by `rep` (the rep of the MQL), `source`, `band`, `month` (of the
    /// first MQL) or any lead column; repeatable (groups are combinations).
    /// Default: rep.
    #[arg(long, value_name = "DIM")]
    pub by: Vec<String>,
    /// Hours within which an MQL should be contacted (default: the config's
    /// sla_hours, 24).
    #[arg(long, allow_hyphen_values = true, value_name = "H")]
    pub sla_hours: Option<Positive>,
    /// An MQL never contacted for longer than D days is in the black hole
    /// (default: the config's black_hole_days, 30).
    #[arg(long, allow_hyphen_values = true, value_name = "D")]
    pub black_hole_days: Option<Positive>,
}

/// Which sources pay back their spend, and does the answer depend on the attribution model?
///
/// Per source (or campaign), leads cohorted by created_at in the period:
/// spend, leads, MQLs, SQLs, won, revenue, cost per lead / MQL / SQL, CAC,
/// ROAS and ROI. Revenue and won follow --model: lead_source (default) gives
/// a lead's revenue to its source; first_touch, last_touch, linear,
/// position_based, u_shaped, w_shaped, full_path, time_decay and markov split
/// each won deal over the sources of its touches. Won deals with no eligible
/// touch are `unattributed`, and every model reconciles to closed-won revenue.
/// --model all puts every model side by side with the spread between them.
///
/// Example: leadloop roi --model all --from 2025-01-01 --to 2025-06-30
#[derive(Debug, Args)]
pub struct RoiArgs {
    /// Group by `source` or `campaign_id`.
    #[arg(long, value_enum, default_value_t = GroupBy::Source)]
    pub by: GroupBy,
    /// The attribution model, or `all` to compare every model.
    #[arg(long, value_enum, value_name = "M|all", default_value_t = Models::One(crate::analysis::attribution::Model::LeadSource), hide_possible_values = true)]
    pub model: Models,
    /// time_decay: a touch's weight halves every D days before the deal's creation.
    #[arg(long, value_name = "D", allow_hyphen_values = true, default_value_t = Positive(crate::analysis::roi::DEFAULT_HALF_LIFE_DAYS))]
    pub half_life_days: Positive,
    /// First day of the cohort and spend period (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub from: Option<NaiveDate>,
    /// Last day of the period (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub to: Option<NaiveDate>,
}

/// What moved win rate and revenue this month, and is it real?
///
/// Deals closed per month (won, lost, win rate with its 95% interval,
/// revenue, average deal size, median cycle days) and loss reasons; then,
/// for one month against a baseline, each segment's share of the change in
/// win rate split into mix, rate and interaction with a p-value, and a
/// revenue bridge (volume, win rate, deal size). Runs on a deals table
/// alone; lead dimensions and lookups join in when present.
///
/// Example: leadloop winloss --month 2026-09 --baseline trailing3 --dims source,band
#[derive(Debug, Args)]
pub struct WinlossArgs {
    /// The month to explain (YYYY-MM). Default: the latest month complete by as_of.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<Month>,
    /// Compare with the previous month or the three months before (pooled).
    #[arg(long, value_enum, default_value_t = Baseline::Previous)]
    pub baseline: Baseline,
    /// Dimensions, comma-separated. Default: source, band, rep, then every
    /// other deal, lookup and lead column.
    #[arg(long, value_name = "a,b,c", value_delimiter = ',')]
    pub dims: Option<Vec<String>>,
}

/// How long do leads take from stage to stage, and how long to nurture?
///
/// Per group and transition (lead_to_mql, mql_to_sql, sql_to_won,
/// lead_to_won): leads that entered, reached and are still on the way
/// (censored at as_of, never counted as lost), the Kaplan-Meier median days
/// and the share that made it by 30, 60 and 90 days, each with a 95%
/// interval; and recycled MQLs with the SQL rate of first-pass vs recycled.
///
/// Example: leadloop velocity --by source
#[derive(Debug, Args)]
pub struct VelocityArgs {
    /// Split by a lead column (repeatable); `month` is the month of the
    /// transition's from-stage time.
    #[arg(long, value_name = "DIM")]
    pub by: Vec<String>,
}

/// Apply a points model (a rules file) to every lead: points and band per lead.
///
/// The rules file (TOML, kept under version control) gives base points and
/// rules, each an SQL condition over the lead's columns (and `activities`,
/// `activities_<kind>`, `touches`: counts as of the lead's first MQL, else
/// as_of) with its points, and optionally [bands]. Prints per rule the leads
/// matched and the conversion of matched vs unmatched leads (Wilson bounds),
/// and per band; --out DIR also writes every lead's points, band and 0/1
/// per rule (score.csv).
///
/// Example: leadloop score --rules rules.toml --out scored/
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The rules file: base = N, [[rule]] name / when / points, [bands].
    #[arg(long, value_name = "FILE")]
    pub rules: PathBuf,
}

/// Which weights and thresholds would predict better? Fit, check out of time, propose.
///
/// Fits an L2 logistic regression of the outcome over 0/1 rules (each lead
/// column binned or split by level, plus --rules), trained on the older
/// leads and checked on the newer ones. Compares it with the current score
/// (AUC with a DeLong interval, Brier, lift and calibration by decile),
/// turns its weights into points (10 points double the odds) and band
/// thresholds, and proposes proposed_rules.toml, which `score` reads.
///
/// Example: leadloop recalibrate --target won --capacity 400 --out recal/
#[derive(Debug, Args)]
pub struct RecalibrateArgs {
    /// The outcome: reached SQL, or won (cumulative reach).
    #[arg(long, value_enum, default_value = "sql")]
    pub target: TargetArg,
    /// The current points model (its rules are features too); default the data set's score.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Lead columns to cut into rules (default: every column that is not an
    /// id, a timestamp, the score, the outcome or leaky).
    #[arg(long, value_name = "a,b,c", value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// The share of leads (oldest first) the model is fitted on.
    #[arg(long, value_name = "SHARE", default_value_t = 0.7)]
    pub train_share: f64,
    /// The inverse L2 penalty C (scikit-learn's): larger fits closer.
    #[arg(long, value_name = "C", default_value_t = 1.0)]
    pub l2: f64,
    /// Leads created fewer days than this before as_of are too young to judge.
    #[arg(long, value_name = "DAYS", default_value_t = 90.0)]
    pub window: f64,
    /// Band thresholds that fill sales capacity: how many leads a month sales
    /// can work (the top band is the points level the top N train leads a
    /// created month reach).
    #[arg(long, value_name = "N", conflicts_with = "target_rate")]
    pub capacity: Option<f64>,
    /// Band thresholds that hit a conversion per band, best band first with
    /// falling rates, e.g. A=0.4,B=0.2.
    #[arg(long, value_name = "BAND=RATE,...", value_delimiter = ',')]
    pub target_rate: Option<Vec<String>>,
}

/// Ask your own question in SQL over the inputs and lead_funnel.
///
/// Runs a named query (queries/NAME.sql, or one built in: --list shows
/// them) or a FILE.sql in polars' SQL dialect, over every used input table
/// by name (leads, handoffs, deals, scores, activities, spend, touches,
/// deal_leads) and lead_funnel. Prints the result, or writes it with --out
/// in any --format.
///
/// Example: leadloop query mqls_never_contacted --format csv
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A query name (see --list) or a path to a .sql file.
    #[arg(value_name = "NAME|FILE.sql", required_unless_present = "list")]
    pub query: Option<String>,
    /// List the named queries and what each answers.
    #[arg(long)]
    pub list: bool,
}

/// The outcome `recalibrate` predicts.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TargetArg {
    Sql,
    Won,
}

/// Write the per-lead fact table (or an input table's used rows) for BI tools.
///
/// `lead_funnel` has one row per lead: its dimensions, the first time at each
/// stage, reach flags, score at first MQL and band, deal counts, won revenue
/// and cohort months (SPEC §5). Parquet by default, or --format csv.
///
/// Example: leadloop export lead_funnel --out exports/
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// `lead_funnel`, or an input table (leads, deals, …) to export its used rows.
    #[arg(value_name = "TABLE")]
    pub table: String,
    /// Write hive-partitioned Parquet, one folder COLUMN=value per value
    /// (e.g. created_month), for DuckDB, Spark or Trino.
    #[arg(long, value_name = "COLUMN")]
    pub partition_by: Option<String>,
}

/// Account for every input row: how many were read, used and set aside, and why.
///
/// Prints, per table, the rows read and used and the rows set aside per
/// reason (null_key, duplicate_key, unknown_lead, …) with up to three
/// example rows each, named by file and row number. Also says which
/// analyses the data set can feed.
///
/// Example: leadloop --data exports/ validate --quarantine-out bad-rows/
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Also write each table's set-aside rows, with a `reason` column, into this folder.
    #[arg(long, value_name = "DIR")]
    pub quarantine_out: Option<PathBuf>,
}

/// Write a realistic, deterministic synthetic data set of every table.
///
/// About 24 months of leads from twelve sources of different volume,
/// quality and cost, with score history, handoffs (recycling,
/// disqualification, skipped stages), sales activities, deals, daily spend
/// and marketing touches. The same --seed always writes the same files.
/// --dirty PCT adds each kind of bad row at PCT percent of its table and
/// records the counts in generate_manifest.json.
///
/// Example: leadloop generate --leads 20000 --seed 42 --dirty 0.5 --out data-samples/
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of leads.
    #[arg(long, value_name = "N")]
    pub leads: u64,

    /// Random seed.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Percent of each table's rows to add as bad rows of each kind (0–10).
    #[arg(long, value_name = "PCT", default_value_t = 0.0)]
    pub dirty: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
