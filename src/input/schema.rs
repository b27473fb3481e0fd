//! The canonical tables and columns of SPEC §1, and how each column is typed.
//!
//! Every other module names columns through the constants here, so the spec's
//! words live in one place.

use std::fmt;

pub const LEAD_ID: &str = "lead_id";
pub const DEAL_ID: &str = "deal_id";
pub const CREATED_AT: &str = "created_at";
pub const CLOSED_AT: &str = "closed_at";
pub const SCORED_AT: &str = "scored_at";
pub const AT: &str = "at";
pub const DATE: &str = "date";
pub const SOURCE: &str = "source";
pub const CAMPAIGN_ID: &str = "campaign_id";
pub const SCORE: &str = "score";
pub const STAGE: &str = "stage";
pub const REP_ID: &str = "rep_id";
pub const KIND: &str = "kind";
pub const STATUS: &str = "status";
pub const AMOUNT: &str = "amount";
pub const LOSS_REASON: &str = "loss_reason";
pub const TOUCH_TYPE: &str = "touch_type";
pub const CURRENCY: &str = "currency";
/// leads: the deal the lead converted into (Salesforce
/// `ConvertedOpportunityId`): a deal without a lead column is linked by it.
pub const CONVERTED_DEAL_ID: &str = "converted_deal_id";
/// leads: another id that names the same lead (Salesforce
/// `ConvertedContactId`): other tables' lead references match it too.
pub const ALIAS_ID: &str = "alias_id";
/// deal_leads: the association is the deal's primary one.
pub const PRIMARY: &str = "primary";

/// Columns an export may use to flag a deleted row (SPEC §1).
pub const DELETED_FLAGS: [&str; 4] = ["IsDeleted", "is_deleted", "_fivetran_deleted", "archived"];
/// Columns a history-mode extract marks its current version with (false:
/// a superseded version, set aside as `inactive_version`).
pub const ACTIVE_FLAGS: [&str; 1] = ["_fivetran_active"];

/// Helper columns leadloop adds while reading; never shown as data.
pub const FILE_COL: &str = "__file";
pub const INDEX_COL: &str = "__index";
pub const REASON_COL: &str = "__reason";
/// The row number of a used lead among the used leads (`u32`): every table
/// that refers to leads carries it, so per-lead work joins and groups on an
/// integer instead of the lead id.
pub const LEAD_ROW: &str = "__lead_row";

/// Handoff stages (SPEC §1).
pub const HANDOFF_STAGES: [&str; 6] =
    ["mql", "contacted", "sal", "sql", "recycled", "disqualified"];
/// Stages a wide export may carry as lead columns: the handoff stages plus the
/// deal-side core stages, which such exports often hold only as a flag.
pub const WIDE_STAGES: [&str; 8] = [
    "mql",
    "contacted",
    "sal",
    "sql",
    "recycled",
    "disqualified",
    "opportunity",
    "won",
];
pub const DEAL_STATUSES: [&str; 3] = ["won", "lost", "open"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TableKind {
    Leads,
    Scores,
    Handoffs,
    Activities,
    /// Deal–lead associations (Salesforce OpportunityContactRole, HubSpot's
    /// deal–contact associations): the lead of a deal without a lead column.
    /// Judged before the deals, which it links.
    DealLeads,
    Deals,
    Spend,
    Touches,
}

/// How a canonical column is read and typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// A key to a lead or deal: string or integer, unified across tables.
    Id,
    /// Any timestamp form of SPEC §1, read as UTC.
    Timestamp,
    Number,
    Text,
}

#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColumnType,
    /// Must be present in the file (after renames).
    pub required: bool,
    /// Rows with a null here are set aside.
    pub not_null: bool,
}

const fn col(name: &'static str, ty: ColumnType, required: bool, not_null: bool) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required,
        not_null,
    }
}

use ColumnType::*;

const LEADS: &[ColumnSpec] = &[
    col(LEAD_ID, Id, true, true),
    col(CREATED_AT, Timestamp, true, true),
    col(SOURCE, Text, true, false),
    col(CAMPAIGN_ID, Text, false, false),
    col(SCORE, Number, false, false),
    col(CONVERTED_DEAL_ID, Id, false, false),
    col(ALIAS_ID, Id, false, false),
];
const SCORES: &[ColumnSpec] = &[
    col(LEAD_ID, Id, true, true),
    col(SCORED_AT, Timestamp, true, true),
    col(SCORE, Number, true, true),
];
const HANDOFFS: &[ColumnSpec] = &[
    col(LEAD_ID, Id, true, true),
    col(STAGE, Text, true, false),
    col(AT, Timestamp, true, true),
    col(REP_ID, Text, false, false),
];
const ACTIVITIES: &[ColumnSpec] = &[
    col(LEAD_ID, Id, true, true),
    col(AT, Timestamp, true, true),
    col(REP_ID, Text, false, false),
    col(KIND, Text, false, false),
];
const DEAL_LEADS: &[ColumnSpec] = &[
    col(DEAL_ID, Id, true, true),
    col(LEAD_ID, Id, true, true),
    col(PRIMARY, Text, false, false),
];
const DEALS: &[ColumnSpec] = &[
    col(DEAL_ID, Id, true, true),
    // SPEC §1: an opportunity export often has no lead column; an unlinked
    // deal still counts in winloss.
    col(LEAD_ID, Id, false, false),
    col(CREATED_AT, Timestamp, true, true),
    col(CLOSED_AT, Timestamp, false, false),
    col(STATUS, Text, true, false),
    col(AMOUNT, Number, true, false),
    col(LOSS_REASON, Text, false, false),
    col(REP_ID, Text, false, false),
];
const SPEND: &[ColumnSpec] = &[
    col(DATE, Timestamp, true, true),
    col(SOURCE, Text, true, false),
    col(CAMPAIGN_ID, Text, false, false),
    col(AMOUNT, Number, true, true),
];
const TOUCHES: &[ColumnSpec] = &[
    col(LEAD_ID, Id, true, true),
    col(AT, Timestamp, true, true),
    col(SOURCE, Text, true, false),
    col(CAMPAIGN_ID, Text, false, false),
    col(TOUCH_TYPE, Text, false, false),
];

impl TableKind {
    pub const ALL: [TableKind; 8] = [
        TableKind::Leads,
        TableKind::Scores,
        TableKind::Handoffs,
        TableKind::Activities,
        TableKind::DealLeads,
        TableKind::Deals,
        TableKind::Spend,
        TableKind::Touches,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TableKind::Leads => "leads",
            TableKind::Scores => "scores",
            TableKind::Handoffs => "handoffs",
            TableKind::Activities => "activities",
            TableKind::DealLeads => "deal_leads",
            TableKind::Deals => "deals",
            TableKind::Spend => "spend",
            TableKind::Touches => "touches",
        }
    }

    pub fn from_name(name: &str) -> Option<TableKind> {
        TableKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            TableKind::Leads => LEADS,
            TableKind::Scores => SCORES,
            TableKind::Handoffs => HANDOFFS,
            TableKind::Activities => ACTIVITIES,
            TableKind::DealLeads => DEAL_LEADS,
            TableKind::Deals => DEALS,
            TableKind::Spend => SPEND,
            TableKind::Touches => TOUCHES,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// Canonical columns that exist only when the export has them: they
    /// link tables and are never a dimension of their own.
    pub fn link_only(self, column: &str) -> bool {
        self == TableKind::Leads && (column == CONVERTED_DEAL_ID || column == ALIAS_ID)
    }

    /// The column whose values must be unique (first row in file order wins).
    pub fn unique_key(self) -> Option<&'static str> {
        match self {
            TableKind::Leads => Some(LEAD_ID),
            TableKind::Deals => Some(DEAL_ID),
            _ => None,
        }
    }

    /// True for tables whose rows belong to a lead and must name a known one.
    pub fn refers_to_leads(self) -> bool {
        !matches!(self, TableKind::Leads | TableKind::Spend)
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_name_round_trips() {
        for k in TableKind::ALL {
            assert_eq!(TableKind::from_name(k.name()), Some(k));
        }
        assert_eq!(TableKind::from_name("lead"), None);
    }

    #[test]
    fn spec_required_columns() {
        let req = |k: TableKind| {
            k.columns()
                .iter()
                .filter(|c| c.required)
                .map(|c| c.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(req(TableKind::Leads), ["lead_id", "created_at", "source"]);
        // SPEC §1 (sharpened this wave): a deal's lead_id is nullable.
        assert_eq!(
            req(TableKind::Deals),
            ["deal_id", "created_at", "status", "amount"]
        );
        assert_eq!(req(TableKind::Spend), ["date", "source", "amount"]);
    }
}
