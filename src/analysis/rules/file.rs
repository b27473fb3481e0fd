//! The rules file (SPEC §4 "score"), kept under version control:
//!
//! ```toml
//! base = 0
//! [[rule]]
//! name = "VP or C-level"
//! when = "job_level IN ('vp', 'c_level')"
//! points = 20
//! [bands]
//! thresholds = { A = 75, B = 50, C = 25 }
//! ```
//!
//! Points are integers. Rule names are unique, not empty, and not a column
//! of `score`'s per-lead table (`lead_id`, `points`, `band`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{Bands, BandsConfig};
use crate::error::{Error, Result};

/// Columns of `score`'s per-lead table besides one per rule.
pub const LEAD_TABLE_COLUMNS: [&str; 3] = ["lead_id", "points", "band"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesToml {
    #[serde(default)]
    base: i64,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleToml>,
    bands: Option<BandsConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    name: String,
    when: String,
    points: i64,
}

/// One rule: a name, an SQL predicate over the lead's row, and its points.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub when: String,
    pub points: i64,
}

/// A points model: every lead starts with `base` and gains each matched
/// rule's points.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Where the rules came from (named in every error).
    pub file: PathBuf,
    pub base: i64,
    pub rules: Vec<Rule>,
    /// The file's bands; `None` means the data set's.
    pub bands: Option<Bands>,
}

impl Rules {
    /// Reads and checks a rules file; a one-line exit-2 error otherwise.
    pub fn read(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::BadConfig {
            file: path.to_path_buf(),
            line: None,
            detail: format!("cannot read the rules file: {e}"),
        })?;
        Rules::parse(&text, path)
    }

    /// Parses and checks rules-file text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Rules> {
        let parsed: RulesToml = toml::from_str(text).map_err(|e| Error::BadConfig {
            file: file.to_path_buf(),
            line: e.span().map(|s| crate::config::line_of(text, s.start)),
            detail: crate::error::one_line(e.message()),
        })?;
        let bad = |rule: &str, detail: String| Error::BadRule {
            file: file.to_path_buf(),
            rule: rule.to_string(),
            detail,
        };
        let mut rules: Vec<Rule> = Vec::new();
        for r in parsed.rules {
            if r.name.trim().is_empty() {
                return Err(Error::BadConfig {
                    file: file.to_path_buf(),
                    line: None,
                    detail: format!("a rule has an empty name (its `when` is {:?})", r.when),
                });
            }
            if rules.iter().any(|o| o.name == r.name) {
                return Err(bad(
                    &r.name,
                    "two rules have this name; names must be unique".into(),
                ));
            }
            if LEAD_TABLE_COLUMNS.contains(&r.name.as_str()) {
                return Err(bad(
                    &r.name,
                    "the name is a column of score's per-lead table; choose another".into(),
                ));
            }
            if r.when.trim().is_empty() {
                return Err(bad(&r.name, "`when` is empty".into()));
            }
            rules.push(Rule {
                name: r.name,
                when: r.when,
                points: r.points,
            });
        }
        // Points are summed per lead: the largest possible total must fit.
        let most = rules
            .iter()
            .map(|r| i128::from(r.points).abs())
            .sum::<i128>()
            + i128::from(parsed.base).abs();
        if most > i128::from(i64::MAX) {
            return Err(Error::BadConfig {
                file: file.to_path_buf(),
                line: None,
                detail: "base and points are too large: a lead's total could overflow".into(),
            });
        }
        let bands = match &parsed.bands {
            None => None,
            Some(b) => Some(Bands::from_config(b).map_err(|e| Error::BadConfig {
                file: file.to_path_buf(),
                line: None,
                detail: format!("bands: {e}"),
            })?),
        };
        Ok(Rules {
            file: file.to_path_buf(),
            base: parsed.base,
            rules,
            bands,
        })
    }

    /// The rules as a rules file that [`Rules::parse`] reads back unchanged.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!("base = {}\n", self.base));
        for r in &self.rules {
            out.push_str(&format!(
                "\n[[rule]]\nname = {}\nwhen = {}\npoints = {}\n",
                toml_string(&r.name),
                toml_string(&r.when),
                r.points
            ));
        }
        if let Some(b) = &self.bands {
            let pairs: Vec<String> = b
                .thresholds
                .iter()
                .map(|(name, t)| {
                    format!(
                        "{} = {}",
                        toml_key(name),
                        crate::analysis::rules::sql::number(*t)
                    )
                })
                .collect();
            out.push_str(&format!(
                "\n[bands]\nthresholds = {{ {} }}\nlowest = {}\n",
                pairs.join(", "),
                toml_string(&b.lowest)
            ));
        }
        out
    }
}

/// A TOML basic string on one line: `"\"source\" = 'ads'"`.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be.
fn toml_key(s: &str) -> String {
    match !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        true => s.to_string(),
        false => toml_string(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Rules> {
        Rules::parse(text, Path::new("rules.toml"))
    }

    #[test]
    fn spec_example_parses_and_round_trips() {
        let r = parse(
            r#"base = 5
[[rule]]
name = "VP or C-level"
when = "job_level IN ('vp', 'c_level')"
points = 20
[[rule]]
name = "say \"hi\""
when = "\"a b\" = 'x'"
points = -3
[bands]
thresholds = { A = 75, B = 50, C = 25 }
"#,
        )
        .unwrap();
        assert_eq!(r.base, 5);
        assert_eq!(r.rules.len(), 2);
        assert_eq!(r.rules[0].points, 20);
        assert_eq!(r.bands.as_ref().unwrap().names(), ["A", "B", "C", "D"]);
        let again = parse(&r.to_toml("proposed by a test")).unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn bad_files_name_the_rule() {
        let dup = "[[rule]]\nname = \"a\"\nwhen = \"x = 1\"\npoints = 1\n[[rule]]\nname = \"a\"\nwhen = \"x = 2\"\npoints = 1\n";
        let e = parse(dup).unwrap_err().to_string();
        assert_eq!(
            e,
            "rules rules.toml: rule \"a\": two rules have this name; names must be unique"
        );
        let e = parse("[[rule]]\nname = \"points\"\nwhen = \"x = 1\"\npoints = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rule \"points\""), "{e}");
        let e = parse("[[rule]]\nname = \"a\"\nwhen = \"x = 1\"\npoints = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config rules.toml line"), "{e}");
        let e = parse("[[rule]]\nname = \"a\"\nwhen = \"x = 1\"\npoint = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("point"), "{e}");
    }
}
