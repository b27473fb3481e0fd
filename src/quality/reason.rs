//! Why a row is set aside. Each reason has a stable snake_case code (used in
//! `validate` output, quarantine files and tests) named for the defect, the
//! way lint rules are named for the pattern they flag.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The export flags the row deleted (`IsDeleted`, `is_deleted`,
    /// `_fivetran_deleted`, HubSpot's `archived`).
    Deleted,
    /// A superseded version of a record in a history-mode extract
    /// (`_fivetran_active` false): the current version is another row.
    InactiveVersion,
    /// A row the config's `keep` filter leaves out (LeadHistory rows of
    /// fields other than Status): counted, not a defect.
    FilteredOut,
    /// The row's key (lead_id, deal_id) is empty.
    NullKey,
    /// A timestamp is present but in no form SPEC §1 allows.
    UnparseableTimestamp,
    /// A timestamp the row cannot do without is empty.
    MissingTimestamp,
    /// An amount or score is present but not a number.
    UnparseableNumber,
    /// A score-history row without a score.
    MissingScore,
    /// A handoff stage that is not canonical after the config's stage mapping.
    UnknownStage,
    /// A deal status other than won, lost, open after the config's status mapping.
    InvalidStatus,
    /// An amount in a currency the config gives no rate for.
    UnknownCurrency,
    /// A negative deal amount or spend.
    NegativeAmount,
    /// A won deal with no closed_at.
    WonWithoutClosedAt,
    /// A won deal (or a spend row) with no amount.
    MissingAmount,
    /// A deal that closed before it was created.
    ClosedBeforeCreated,
    /// A row that refers to a lead the leads table does not have (or set aside).
    UnknownLead,
    /// A handoff or deal dated before its lead was created.
    StageBeforeCreated,
    /// A deal–lead association whose deal is not a used deal.
    UnknownDeal,
    /// A later row with the key of an earlier one (the first in file order is used).
    DuplicateKey,
}

impl Reason {
    pub const ALL: [Reason; 19] = [
        Reason::Deleted,
        Reason::InactiveVersion,
        Reason::FilteredOut,
        Reason::NullKey,
        Reason::UnparseableTimestamp,
        Reason::MissingTimestamp,
        Reason::UnparseableNumber,
        Reason::MissingScore,
        Reason::UnknownStage,
        Reason::InvalidStatus,
        Reason::UnknownCurrency,
        Reason::NegativeAmount,
        Reason::WonWithoutClosedAt,
        Reason::MissingAmount,
        Reason::ClosedBeforeCreated,
        Reason::UnknownLead,
        Reason::StageBeforeCreated,
        Reason::UnknownDeal,
        Reason::DuplicateKey,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Deleted => "deleted",
            Reason::InactiveVersion => "inactive_version",
            Reason::FilteredOut => "filtered_out",
            Reason::NullKey => "null_key",
            Reason::UnparseableTimestamp => "unparseable_timestamp",
            Reason::MissingTimestamp => "missing_timestamp",
            Reason::UnparseableNumber => "unparseable_number",
            Reason::MissingScore => "missing_score",
            Reason::UnknownStage => "unknown_stage",
            Reason::InvalidStatus => "invalid_status",
            Reason::UnknownCurrency => "unknown_currency",
            Reason::NegativeAmount => "negative_amount",
            Reason::WonWithoutClosedAt => "won_without_closed_at",
            Reason::MissingAmount => "missing_amount",
            Reason::ClosedBeforeCreated => "closed_before_created",
            Reason::UnknownLead => "unknown_lead",
            Reason::StageBeforeCreated => "stage_before_created",
            Reason::UnknownDeal => "unknown_deal",
            Reason::DuplicateKey => "duplicate_key",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            let c = r.code();
            assert!(
                c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{c}"
            );
            assert!(seen.insert(c), "duplicate code {c}");
            assert_eq!(Reason::from_code(c), Some(r));
        }
    }
}
