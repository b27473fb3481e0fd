//! Why a row is set aside. Each reason has a stable snake_case code (used in
//! `validate` output, quarantine files and tests) named for the defect, the
//! way lint rules are named for the pattern they flag.
//!
//! In the judged rows a reason is stored as its number ([`Reason::expr`],
//! `UInt8`: choosing among a row's checks in text was a twentieth of
//! judging) and named only where set-aside rows are shown
//! ([`Reason::named`]).

use std::fmt;

use polars::prelude::*;

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
    /// A deal amount or spend of 10^15 or more (either sign): beyond any
    /// real deal, and beyond what sums of money hold exactly
    /// (`analysis::exact_sum`; a breaker's 1e38 deal was summed as 0).
    AmountOutOfRange,
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
    pub const ALL: [Reason; 20] = [
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
        Reason::AmountOutOfRange,
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
            Reason::AmountOutOfRange => "amount_out_of_range",
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

    /// The reason's number as stored in judged rows (its place in [`Reason::ALL`]).
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The reason stored as `index`, if any.
    pub fn from_index(index: u8) -> Option<Reason> {
        Reason::ALL.get(usize::from(index)).copied()
    }

    /// This reason as a stored value (a `UInt8` literal).
    pub fn expr(self) -> Expr {
        lit(self.index())
    }

    /// The stored type: no reason is a null of it.
    pub fn none() -> Expr {
        lit(NULL).cast(DataType::UInt8)
    }

    /// A column of stored reasons as their codes (text; null stays null).
    /// Errors: a column that is not of stored reasons.
    pub fn named(stored: &Column) -> PolarsResult<Column> {
        let codes: StringChunked = stored
            .u8()?
            .iter()
            .map(|i| i.and_then(Reason::from_index).map(Reason::code))
            .collect();
        Ok(codes.with_name(stored.name().clone()).into_column())
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

    #[test]
    fn stored_numbers_are_places_in_all_and_name_back() {
        for (i, r) in Reason::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(r.index()), i);
            assert_eq!(Reason::from_index(r.index()), Some(r));
        }
        assert_eq!(Reason::from_index(Reason::ALL.len() as u8), None);
        let stored = Column::new("r".into(), [Some(0u8), None, Some(19)]);
        let named = Reason::named(&stored).unwrap();
        let named: Vec<Option<&str>> = named.str().unwrap().iter().collect();
        assert_eq!(named, [Some("deleted"), None, Some("duplicate_key")]);
    }
}
