//! Reading a data set: find each table (`locate`), scan it with the config's
//! renames (`read`), and decide how keys compare across tables (`keys`).
//! Column typing lives in `time` (timestamps) and `values` (ids, numbers,
//! flags); judging rows is `quality`'s job.

mod csv_check;
pub mod keys;
pub mod locate;
mod parts;
pub mod read;
pub mod schema;
pub mod time;
pub mod values;
pub mod xlsx;

use std::collections::BTreeMap;

use crate::config::{DataSpec, LookupConfig};
use crate::error::{Error, Result};
pub use keys::KeyType;
pub use read::RawTable;
use schema::TableKind;

/// Every table of a data set as scanned, before any row is judged.
pub struct Inputs {
    pub tables: BTreeMap<TableKind, RawTable>,
    pub lookups: Vec<(LookupConfig, RawTable)>,
    /// How lead_id values are compared across tables.
    pub lead_key: KeyType,
    pub notes: Vec<String>,
}

impl Inputs {
    pub fn get(&self, kind: TableKind) -> Option<&RawTable> {
        self.tables.get(&kind)
    }
}

pub fn load(spec: &DataSpec) -> Result<Inputs> {
    let config_path = match &spec.origin {
        crate::config::Origin::Config(p) => p.clone(),
        crate::config::Origin::Folder(p) => p.join("leadloop.toml"),
    };
    let mut tables = BTreeMap::new();
    let mut notes = Vec::new();
    for kind in TableKind::ALL {
        let cfg = spec.table_config(kind);
        let location = match &cfg.path {
            Some(p) => Some(locate::locate(kind.name(), &spec.root.join(p), cfg.format)?),
            None => {
                let (loc, more) = locate::find_by_name(&spec.root, kind.name())?;
                notes.extend(more);
                loc
            }
        };
        let Some(location) = location else { continue };
        let raw = read::scan(kind.name(), location, &cfg, &config_path)?;
        for c in kind.columns().iter().filter(|c| c.required) {
            if !raw.has(c.name) {
                return Err(raw.missing_column(c.name));
            }
        }
        let mut noted: Vec<&str> = Vec::new();
        // A deal without its own lead column may be linked through the
        // leads or deal_leads (quality::links), said by a note there.
        let linked_elsewhere = kind == TableKind::Deals
            && (tables.contains_key(&TableKind::DealLeads)
                || tables
                    .get(&TableKind::Leads)
                    .is_some_and(|l: &RawTable| l.has(crate::input::schema::CONVERTED_DEAL_ID)));
        for (_, dst) in &raw.preset_missing {
            let quiet =
                kind.link_only(dst) || (linked_elsewhere && dst == crate::input::schema::LEAD_ID);
            if !quiet && !raw.has(dst) && !noted.contains(&dst.as_str()) {
                noted.push(dst);
                let src: Vec<&str> = raw
                    .preset_missing
                    .iter()
                    .filter(|(_, d)| d == dst)
                    .map(|(s, _)| s.as_str())
                    .collect();
                let src = src.join(" or ");
                notes.push(format!(
                    "{kind}: no {dst} column (the {} preset looked for {src}): {dst} is empty{}",
                    raw.preset.unwrap_or(""),
                    match dst.as_str() {
                        "score" => ", so every lead is unscored",
                        _ => "",
                    }
                ));
            }
        }
        for (stage, w) in &cfg.stages {
            let columns = w.columns();
            if columns.iter().any(|c| raw.has(c)) {
                continue;
            }
            if cfg.preset_stages.contains(stage) {
                notes.push(format!(
                    "{kind}: no {} column: the {} preset's {stage} stage is left out",
                    columns.join(" or "),
                    raw.preset.unwrap_or("")
                ));
                continue;
            }
            return Err(Error::MissingColumn {
                table: raw.name.clone(),
                file: raw.location.display.clone(),
                column: columns.join(", "),
                named_by: Some(Box::new(crate::error::NamedBy::WideStage {
                    stage: stage.clone(),
                })),
                found: crate::error::column_list(&raw.columns),
            });
        }
        for absent in &cfg.absent {
            notes.push(format!(
                "{kind}: the config declares no {absent} column; figures that need it are left out"
            ));
        }
        tables.insert(kind, raw);
    }
    if tables.is_empty() {
        // Compressed exports are a common reason nothing is found.
        let compressed: Vec<String> = std::fs::read_dir(&spec.root)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| locate::compression_of(p).is_some())
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let also = match compressed.is_empty() {
            true => String::new(),
            false => format!(
                "; found {}: leadloop reads plain CSV or Parquet, so decompress them first",
                compressed.join(", ")
            ),
        };
        return Err(Error::MissingTable {
            table: "leads".into(),
            place: spec.describe(),
            hint: format!(
                " (no table found: looked for {} as <name>.parquet, <name>/ or <name>.csv{also})",
                TableKind::ALL.map(TableKind::name).join(", ")
            ),
        });
    }
    let mut lookups = Vec::new();
    for l in &spec.lookups {
        let location = locate::locate(&l.name, &spec.root.join(&l.path), l.format)?;
        let cfg = crate::config::TableConfig {
            separator: l.separator.clone(),
            ..Default::default()
        };
        let raw = read::scan(&l.name, location, &cfg, &config_path)?;
        let key = l.lookup_key.as_deref().unwrap_or(&l.key);
        if !raw.has(key) {
            return Err(raw.missing_column(key));
        }
        let Some(target) = tables.get(&l.join_to.kind()) else {
            return Err(Error::MissingTable {
                table: l.join_to.kind().name().into(),
                place: spec.describe(),
                hint: format!(" (lookup {} joins to it)", l.name),
            });
        };
        if !target.has(&l.key) {
            return Err(target.missing_column(&l.key));
        }
        lookups.push((l.clone(), raw));
    }
    let (lead_key, key_note) = keys::decide(
        tables
            .iter()
            .filter_map(|(k, t)| t.dtype(schema::LEAD_ID).map(|d| (*k, d.clone()))),
    );
    notes.extend(key_note);
    Ok(Inputs {
        tables,
        lookups,
        lead_key,
        notes,
    })
}
