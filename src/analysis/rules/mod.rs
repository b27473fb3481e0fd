//! Points models as rules (SPEC §4 "score", "recalibrate"): a rules file
//! (base points, rules with an SQL predicate and points, optional bands),
//! the lead columns a predicate sees, and predicates compiled by polars'
//! SQL expression parser.
//!
//! `score` applies a rules file; `recalibrate` writes its indicators as
//! rules and proposes a rules file that `score` reads back.

pub mod file;
pub mod predicates;
pub mod sql;

pub use file::{Rule, Rules};
pub use predicates::{compile, PredicateFrame, Typing};
