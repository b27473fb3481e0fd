//! `leadloop.toml`: where each table lives, how its columns map onto SPEC §1,
//! and the settings every analysis shares (SPEC §2).
//!
//! Decisions where the spec is silent:
//! - Paths in a config are relative to the config file's folder. A table with
//!   no `path` is looked for by its name in that folder, as in a data folder.
//! - `rename` maps *export* names to canonical names (`"Prospect ID" = "lead_id"`).
//! - `absent = ["created_at"]` declares that an export has no such column; it is
//!   read as all-null and every figure that needs it is left out with a note.
//! - `constants` adds a column with one value (an export of won deals only has
//!   no status column: `constants = { status = "won" }`).
//! - A preset (`preset = "salesforce"` or `"hubspot"`) supplies renames and
//!   stage/status mappings; anything the file sets itself wins.

pub mod presets;
pub mod settings;
pub mod zone;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::input::schema::{TableKind, HANDOFF_STAGES, WIDE_STAGES};
pub use presets::Preset;
pub use settings::{AsOfInput, Bands, Settings};
pub use zone::Zone;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub preset: Option<Preset>,
    pub timezone: Option<String>,
    /// The zone naive input times are written in, for every table (default UTC).
    pub input_timezone: Option<String>,
    pub as_of: Option<String>,
    pub sla_hours: Option<f64>,
    pub black_hole_days: Option<f64>,
    /// Keep judged tables between runs (default true; see `quality::cache`).
    pub cache: Option<bool>,
    pub bands: Option<BandsConfig>,
    #[serde(default)]
    pub tables: TablesConfig,
    #[serde(default)]
    pub lookups: Vec<LookupConfig>,
    pub currency: Option<CurrencyConfig>,
    /// Leads columns recorded only after the outcome (set by sales after
    /// contact): `recalibrate` leaves them out unless named in --features,
    /// and names them in a note (SPEC §4).
    #[serde(default)]
    pub leaky: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandsConfig {
    /// Band name → minimum score (inclusive).
    pub thresholds: BTreeMap<String, f64>,
    /// The band for scores below every threshold.
    pub lowest: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyConfig {
    /// Currency code → factor that converts an amount into the reporting currency.
    pub rates: BTreeMap<String, f64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TablesConfig {
    pub leads: Option<TableConfig>,
    pub scores: Option<TableConfig>,
    pub handoffs: Option<TableConfig>,
    pub activities: Option<TableConfig>,
    pub deal_leads: Option<TableConfig>,
    pub deals: Option<TableConfig>,
    pub spend: Option<TableConfig>,
    pub touches: Option<TableConfig>,
}

impl TablesConfig {
    pub fn get(&self, kind: TableKind) -> Option<&TableConfig> {
        match kind {
            TableKind::Leads => self.leads.as_ref(),
            TableKind::Scores => self.scores.as_ref(),
            TableKind::Handoffs => self.handoffs.as_ref(),
            TableKind::Activities => self.activities.as_ref(),
            TableKind::DealLeads => self.deal_leads.as_ref(),
            TableKind::Deals => self.deals.as_ref(),
            TableKind::Spend => self.spend.as_ref(),
            TableKind::Touches => self.touches.as_ref(),
        }
    }

    pub(super) fn slot(&mut self, kind: TableKind) -> &mut Option<TableConfig> {
        match kind {
            TableKind::Leads => &mut self.leads,
            TableKind::Scores => &mut self.scores,
            TableKind::Handoffs => &mut self.handoffs,
            TableKind::Activities => &mut self.activities,
            TableKind::DealLeads => &mut self.deal_leads,
            TableKind::Deals => &mut self.deals,
            TableKind::Spend => &mut self.spend,
            TableKind::Touches => &mut self.touches,
        }
    }
}

/// The table a lookup joins to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinTo {
    Leads,
    Deals,
}

impl JoinTo {
    pub fn kind(self) -> TableKind {
        match self {
            JoinTo::Leads => TableKind::Leads,
            JoinTo::Deals => TableKind::Deals,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Parquet,
    Csv,
    /// An Excel workbook (`.xlsx`); read, never written.
    Xlsx,
}

/// A row filter: the first present of `column` must hold one of `values`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keep {
    pub column: Vec<String>,
    pub values: Vec<String>,
}

/// A deal's won and closed flag columns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFlags {
    #[serde(default)]
    pub won: Vec<String>,
    #[serde(default)]
    pub closed: Vec<String>,
}

/// Where the rep of an MQL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageRep {
    Event,
    Owner,
}

/// `date_format`: one pattern or several.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DateFormat {
    One(String),
    Many(Vec<String>),
}

impl DateFormat {
    /// The strftime patterns it stands for (`en_US` and `en_GB` are
    /// shorthands for the date-time and date forms of those locales).
    pub fn patterns(&self) -> Vec<String> {
        let names: Vec<&str> = match self {
            DateFormat::One(s) => vec![s.as_str()],
            DateFormat::Many(v) => v.iter().map(String::as_str).collect(),
        };
        names
            .into_iter()
            .flat_map(|n| match n {
                // Salesforce Lightning writes a comma after the date
                // (`3/17/2024, 5:01 AM`; a user trial's report export).
                "en_US" => vec![
                    "%m/%d/%Y %I:%M %p".to_string(),
                    "%m/%d/%Y %I:%M:%S %p".into(),
                    "%m/%d/%Y %H:%M".into(),
                    "%m/%d/%Y, %I:%M %p".into(),
                    "%m/%d/%Y, %I:%M:%S %p".into(),
                    "%m/%d/%Y, %H:%M".into(),
                    "%m/%d/%Y".into(),
                ],
                "en_GB" => vec![
                    "%d/%m/%Y %H:%M".to_string(),
                    "%d/%m/%Y %H:%M:%S".into(),
                    "%d/%m/%Y, %H:%M".into(),
                    "%d/%m/%Y, %H:%M:%S".into(),
                    "%d/%m/%Y".into(),
                ],
                other => vec![other.to_string()],
            })
            .collect()
    }
}

/// Unit of integer timestamps (epoch); CRM APIs write milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EpochUnit {
    S,
    #[default]
    Ms,
    Us,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// A file, a folder of part files (hive partitions allowed) or a glob.
    pub path: Option<String>,
    pub format: Option<FileFormat>,
    /// CSV field separator (one character).
    pub separator: Option<String>,
    /// `.xlsx`: the sheet to read (default the first).
    pub sheet: Option<String>,
    /// CSV values read as missing, besides the empty field (e.g. `"Select"`).
    #[serde(default)]
    pub null_values: Vec<String>,
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// The export names whose rename came from the preset (not the user's
    /// config), so an error can say where a name came from.
    #[serde(skip)]
    pub preset_renames: std::collections::BTreeSet<String>,
    /// The preset merged into this table's settings, if any.
    #[serde(skip)]
    pub preset: Option<Preset>,
    /// The wide stages that came from the preset (not the user's config):
    /// one whose column the export lacks is left out, with a note.
    #[serde(skip)]
    pub preset_stages: std::collections::BTreeSet<String>,
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    #[serde(default)]
    pub absent: Vec<String>,
    /// A key made from the row number (1, 2, … in file order) for an
    /// export with no id column: `row_number = "lead_id"` (SPEC §2).
    pub row_number: Option<String>,
    /// The unit of epoch numbers; without it the digits decide (10 s, 13 ms, 16 µs).
    pub epoch_unit: Option<EpochUnit>,
    /// The zone naive times are written in (a UI export writes the portal's
    /// or user's local time); default the config's `input_timezone`, else UTC.
    pub input_timezone: Option<String>,
    /// Rows to keep: the first present of `column` must hold one of `values`
    /// (LeadHistory: Field = Status); the others are set aside as
    /// `filtered_out`, counted but not a defect.
    pub keep: Option<Keep>,
    /// handoffs: stage values that are no funnel stage (Salesforce's
    /// "Open - Not Contacted", a lead's state before anyone worked it):
    /// their rows are `filtered_out`, counted but not a defect.
    #[serde(default)]
    pub ignore_stages: Vec<String>,
    /// deals: the vendor's won / closed flag columns (each a list, first
    /// present wins); where a row has them they decide its status.
    pub status_flags: Option<StatusFlags>,
    /// deals: the separator of a lead cell that lists several leads (HubSpot's
    /// "Associated Contact IDs": `;`); the deal then counts for one of them.
    pub lead_list_separator: Option<String>,
    /// leads: whose rep a stage event is (SPEC §3): `event` (each handoff's
    /// `rep_id`, the default) or `owner` (the lead's `owner_id` column, where
    /// the history records who changed the status, often an integration user).
    pub stage_rep: Option<StageRep>,
    /// Formats of a UI export's dates, tried before the ISO forms: a
    /// strftime pattern, a list of them, or `en_US` / `en_GB`.
    pub date_format: Option<DateFormat>,
    /// Wide exports: stage → the lead column holding its time or flag.
    #[serde(default)]
    pub stages: BTreeMap<String, WideStage>,
    /// Export stage name → canonical stage.
    #[serde(default)]
    pub stage_map: BTreeMap<String, String>,
    /// Export deal status → `won`, `lost` or `open`.
    #[serde(default)]
    pub status_map: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideStage {
    /// A column holding the time the lead entered the stage; with several,
    /// per row the first present with a value (HubSpot's
    /// `hs_v2_date_entered_*`, else the legacy `hs_lifecyclestage_*_date`).
    pub at: Option<Names>,
    /// A boolean column: the stage was reached at an unknown time.
    pub flag: Option<Names>,
}

/// One column name, or several tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    pub fn list(&self) -> Vec<&str> {
        match self {
            Names::One(n) => vec![n.as_str()],
            Names::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl WideStage {
    /// The stage's candidate columns (its `at` or `flag`), in order.
    pub fn columns(&self) -> Vec<&str> {
        self.at
            .as_ref()
            .or(self.flag.as_ref())
            .map(Names::list)
            .unwrap_or_default()
    }

    /// Whether the stage is known only by a flag (no time).
    pub fn flag_only(&self) -> bool {
        self.at.is_none()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupConfig {
    pub name: String,
    pub path: String,
    pub format: Option<FileFormat>,
    pub separator: Option<String>,
    /// The table whose rows the lookup's columns describe.
    pub join_to: JoinTo,
    /// The column in `join_to` holding the key.
    pub key: String,
    /// The key column in the lookup (default: same as `key`).
    pub lookup_key: Option<String>,
}

/// Where the data set came from.
#[derive(Debug, Clone)]
pub enum Origin {
    Folder(PathBuf),
    Config(PathBuf),
}

/// A data set as the user described it: the folder, the tables' settings and
/// the shared analysis settings.
#[derive(Debug, Clone)]
pub struct DataSpec {
    pub origin: Origin,
    /// Folder that relative paths and by-name lookups start from.
    pub root: PathBuf,
    pub tables: TablesConfig,
    pub lookups: Vec<LookupConfig>,
    pub currency_rates: Option<BTreeMap<String, f64>>,
    pub settings: Settings,
    /// The config's top-level `input_timezone`, every table's default.
    pub input_timezone: Option<String>,
}

impl DataSpec {
    /// `--data DIR|leadloop.toml`. A folder holding a `leadloop.toml` uses it.
    /// Errors: no such path, an input table named instead of its folder, or
    /// the configuration's own errors.
    pub fn open(data: &Path) -> Result<DataSpec> {
        if data.is_dir() {
            let inner = data.join("leadloop.toml");
            if inner.is_file() {
                return DataSpec::from_config(&inner);
            }
            return Ok(DataSpec {
                origin: Origin::Folder(data.to_path_buf()),
                root: data.to_path_buf(),
                tables: TablesConfig::default(),
                lookups: Vec::new(),
                currency_rates: None,
                settings: Settings::from_config(&ConfigFile::default(), data)?,
                input_timezone: None,
            });
        }
        if data.is_file() {
            // An export file named instead of its folder: read as TOML it
            // gave "line 1: key with no value" (a new user's trial).
            // What the input side reads as a table, or knows as compressed.
            use crate::input::locate::{compression_of, format_of};
            if format_of(data).is_some() || compression_of(data).is_some() {
                let ext = data
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                return Err(Error::bad_argument(format!(
                    "--data {}: a .{ext} file is an input table; --data takes the folder that holds the export's files, or a leadloop.toml naming them",
                    data.display()
                )));
            }
            return DataSpec::from_config(data);
        }
        Err(Error::bad_argument(format!(
            "--data {}: no such folder or leadloop.toml",
            data.display()
        )))
    }

    fn from_config(path: &Path) -> Result<DataSpec> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::BadConfig {
            file: path.to_path_buf(),
            line: None,
            detail: e.to_string(),
        })?;
        let file = parse_config(&text, path)?;
        let file = presets::apply(file)?;
        check_semantics(&file, path)?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(DataSpec {
            origin: Origin::Config(path.to_path_buf()),
            root,
            settings: Settings::from_config(&file, path)?,
            tables: file.tables,
            lookups: file.lookups,
            currency_rates: file.currency.map(|c| c.rates),
            input_timezone: file.input_timezone,
        })
    }

    pub fn table_config(&self, kind: TableKind) -> TableConfig {
        let mut cfg = self.tables.get(kind).cloned().unwrap_or_default();
        if cfg.input_timezone.is_none() {
            cfg.input_timezone = self.input_timezone.clone();
        }
        cfg
    }

    pub fn describe(&self) -> String {
        match &self.origin {
            Origin::Folder(p) | Origin::Config(p) => p.display().to_string(),
        }
    }
}

/// Parses TOML, turning serde's error (unknown key, wrong type) into one line with its line number.
pub fn parse_config(text: &str, path: &Path) -> Result<ConfigFile> {
    toml::from_str::<ConfigFile>(text).map_err(|e| {
        let mut detail = crate::error::one_line(e.message());
        // A top-level setting written under a table (a user trial put
        // `leaky` under [tables.leads]) is "unknown" there: say where it goes.
        let unknown = e
            .message()
            .strip_prefix("unknown field `")
            .and_then(|m| m.split('`').next());
        if let Some(key) = unknown.filter(|k| TOP_LEVEL.contains(k)) {
            detail.push_str(&format!(
                "; `{key}` is a top-level setting of leadloop.toml, not a table's: move it out of [tables.…]"
            ));
        } else if let Some(key) = unknown.filter(|k| TABLE_ONLY.contains(k)) {
            // The reverse (a second user trial's top-level date_format).
            detail.push_str(&format!(
                "; `{key}` is a table's setting: put it under the table it is for ([tables.leads], [tables.deals], …)"
            ));
        }
        Error::BadConfig {
            file: path.to_path_buf(),
            line: e.span().map(|s| line_of(text, s.start)),
            detail,
        }
    })
}

/// The keys only a table has ([`TableConfig`]'s that are not also top-level).
const TABLE_ONLY: [&str; 19] = [
    "path",
    "format",
    "separator",
    "sheet",
    "null_values",
    "rename",
    "constants",
    "absent",
    "row_number",
    "epoch_unit",
    "keep",
    "ignore_stages",
    "status_flags",
    "lead_list_separator",
    "stage_rep",
    "date_format",
    "stages",
    "stage_map",
    "status_map",
];

/// The keys of leadloop.toml outside any table ([`ConfigFile`]'s).
const TOP_LEVEL: [&str; 11] = [
    "preset",
    "timezone",
    "input_timezone",
    "as_of",
    "sla_hours",
    "black_hole_days",
    "cache",
    "bands",
    "lookups",
    "currency",
    "leaky",
];

pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Checks serde cannot: names of stages, statuses and absent columns.
fn check_semantics(file: &ConfigFile, path: &Path) -> Result<()> {
    let bad = |detail: String| Error::BadConfig {
        file: path.to_path_buf(),
        line: None,
        detail,
    };
    if let Some(z) = &file.input_timezone {
        Zone::parse(z).map_err(|e| bad(format!("input_timezone: {e}")))?;
    }
    for kind in TableKind::ALL {
        let Some(t) = file.tables.get(kind) else {
            continue;
        };
        let at = format!("tables.{kind}");
        if let Some(z) = &t.input_timezone {
            Zone::parse(z).map_err(|e| bad(format!("{at}.input_timezone: {e}")))?;
        }
        if let Some(f) = &t.date_format {
            for p in f.patterns() {
                if !p.contains('%') {
                    return Err(bad(format!(
                        "{at}.date_format: \"{p}\" is neither a strftime pattern (%m/%d/%Y) nor en_US or en_GB"
                    )));
                }
            }
        }
        if let Some(sep) = &t.separator {
            if sep.len() != 1 {
                return Err(bad(format!(
                    "{at}.separator must be one character, got \"{sep}\""
                )));
            }
        }
        for col in &t.absent {
            // Keys cannot be absent, but a deal's lead link can (SPEC §1).
            let ok = kind
                .column(col)
                .is_some_and(|c| c.ty != crate::input::schema::ColumnType::Id || !c.not_null);
            if !ok {
                return Err(bad(format!(
                    "{at}.absent: \"{col}\" is not a canonical non-key column of {kind}"
                )));
            }
        }
        if !t.stages.is_empty() && kind != TableKind::Leads {
            return Err(bad(format!(
                "{at}.stages: wide stage columns belong to tables.leads"
            )));
        }
        for (stage, w) in &t.stages {
            if !WIDE_STAGES.contains(&stage.as_str()) {
                return Err(bad(format!(
                    "{at}.stages.{stage}: unknown stage; stages: {}",
                    WIDE_STAGES.join(", ")
                )));
            }
            if w.at.is_some() == w.flag.is_some() {
                return Err(bad(format!(
                    "{at}.stages.{stage}: give exactly one of `at` (a time column) or `flag` (a boolean column)"
                )));
            }
        }
        for (from, to) in &t.stage_map {
            if !HANDOFF_STAGES.contains(&to.as_str()) {
                return Err(bad(format!(
                    "{at}.stage_map.\"{from}\": \"{to}\" is not a stage; stages: {}",
                    HANDOFF_STAGES.join(", ")
                )));
            }
        }
        for (from, to) in &t.status_map {
            if !crate::input::schema::DEAL_STATUSES.contains(&to.as_str()) {
                return Err(bad(format!(
                    "{at}.status_map.\"{from}\": \"{to}\" is not a status; statuses: won, lost, open"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile> {
        parse_config(text, Path::new("leadloop.toml"))
    }

    #[test]
    fn unknown_key_names_its_line() {
        let err = parse("timezone = \"UTC\"\nsla_hour = 4\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("config leadloop.toml line 2:"), "{msg}");
        assert!(msg.contains("sla_hour"), "{msg}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn wrong_type_names_its_line() {
        let msg = parse("\n\nsla_hours = \"soon\"\n").unwrap_err().to_string();
        assert!(msg.contains("line 3"), "{msg}");
    }

    #[test]
    fn a_wide_stage_needs_exactly_one_of_at_or_flag() {
        let file = parse("[tables.leads.stages]\nwon = { at = \"a\", flag = \"b\" }\n").unwrap();
        let msg = check_semantics(&file, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("tables.leads.stages.won"), "{msg}");
    }

    #[test]
    fn stage_map_targets_must_be_stages() {
        let file = parse("[tables.handoffs.stage_map]\n\"Working\" = \"worked\"\n").unwrap();
        assert!(check_semantics(&file, Path::new("x.toml")).is_err());
    }
}
