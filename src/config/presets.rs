//! The shipped presets (SPEC §2): a vendor's usual column names and
//! picklist values, merged under the user's own config, which wins.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{parse_config, ConfigFile, TableConfig};
use crate::error::Result;
use crate::input::schema::TableKind;

const SALESFORCE: &str = include_str!("presets/salesforce.toml");
const HUBSPOT: &str = include_str!("presets/hubspot.toml");

/// A shipped preset: the usual column names and picklist values of one
/// vendor's export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    Salesforce,
    Hubspot,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Salesforce => "salesforce",
            Preset::Hubspot => "hubspot",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Preset::Salesforce => SALESFORCE,
            Preset::Hubspot => HUBSPOT,
        }
    }
}

/// `file` with its preset's tables merged under the user's own settings.
pub fn apply(mut file: ConfigFile) -> Result<ConfigFile> {
    let Some(preset) = file.preset else {
        return Ok(file);
    };
    let name = preset.name();
    let parsed = parse_config(preset.text(), Path::new(&format!("preset {name}")))?;
    for kind in TableKind::ALL {
        if let Some(base) = parsed.tables.get(kind) {
            let slot = file.tables.slot(kind);
            let mine = slot.take().unwrap_or_default();
            *slot = Some(merge_table(base.clone(), mine, preset));
        }
    }
    Ok(file)
}

/// The user's settings win over the preset's; maps are merged key by key.
fn merge_table(base: TableConfig, mine: TableConfig, preset: Preset) -> TableConfig {
    let merge = |mut a: BTreeMap<String, String>, b: BTreeMap<String, String>| {
        a.extend(b);
        a
    };
    let preset_renames = base
        .rename
        .keys()
        .filter(|k| !mine.rename.contains_key(*k))
        .cloned()
        .collect();
    let preset_stages = base
        .stages
        .keys()
        .filter(|k| !mine.stages.contains_key(*k))
        .cloned()
        .collect();
    let mut stages = base.stages;
    stages.extend(mine.stages);
    TableConfig {
        path: mine.path.or(base.path),
        format: mine.format.or(base.format),
        separator: mine.separator.or(base.separator),
        sheet: mine.sheet.or(base.sheet),
        null_values: if mine.null_values.is_empty() {
            base.null_values
        } else {
            mine.null_values
        },
        rename: merge(base.rename, mine.rename),
        preset_renames,
        preset: Some(preset),
        preset_stages,
        constants: merge(base.constants, mine.constants),
        row_number: mine.row_number.or(base.row_number),
        absent: if mine.absent.is_empty() {
            base.absent
        } else {
            mine.absent
        },
        epoch_unit: mine.epoch_unit.or(base.epoch_unit),
        input_timezone: mine.input_timezone.or(base.input_timezone),
        stage_rep: mine.stage_rep.or(base.stage_rep),
        lead_list_separator: mine.lead_list_separator.or(base.lead_list_separator),
        status_flags: mine.status_flags.or(base.status_flags),
        keep: mine.keep.or(base.keep),
        ignore_stages: {
            let mut v = base.ignore_stages;
            v.extend(mine.ignore_stages);
            v
        },
        date_format: mine.date_format.or(base.date_format),
        stages,
        stage_map: merge(base.stage_map, mine.stage_map),
        status_map: merge(base.status_map, mine.status_map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile> {
        parse_config(text, Path::new("leadloop.toml"))
    }

    #[test]
    fn presets_parse_and_merge_under_the_users_settings() {
        for text in [SALESFORCE, HUBSPOT] {
            parse(text).expect("preset parses");
        }
        let file = parse(
            "preset = \"salesforce\"\n[tables.leads]\npath = \"Lead.csv\"\nrename = { Id = \"lead_id\", Owner = \"rep_id\" }\n",
        )
        .unwrap();
        let merged = apply(file).unwrap();
        let leads = merged.tables.leads.unwrap();
        assert_eq!(leads.path.as_deref(), Some("Lead.csv"));
        assert_eq!(leads.rename["CreatedDate"], "created_at");
        assert_eq!(leads.rename["Owner"], "rep_id");
        assert!(leads.preset_renames.contains("CreatedDate"));
        assert!(
            !leads.preset_renames.contains("Id"),
            "the user's rename wins"
        );
    }
}
