//! Why a CSV file could not be read, in the user's terms.
//!
//! polars stops at a row with more fields than the header ("found more
//! fields than defined in 'Schema'; Consider setting
//! 'truncate_ragged_lines=true'") or at a quote that never closes, without
//! the row's line and with advice for its own API; and where a plan reads
//! only some columns it reads such a row without a word, its extra fields
//! dropped. So a CSV's files are walked once, quote-aware, before they are
//! scanned (about a second a gigabyte), and the first such row is an error
//! naming its line (SPEC §7: an unreadable file).

use std::io::Read;
use std::path::Path;

/// The first structural fault of the CSV files `files` (separator `sep`):
/// `"line L: …"` (`"FILE line L: …"` when there are several files), or
/// `None` when every row has at most the header's fields and every quote
/// closes.
///
/// Errors: a file that cannot be read is the reader's to report (`None`).
pub fn first_fault(files: &[std::path::PathBuf], sep: u8) -> Option<String> {
    files.iter().find_map(|f| {
        let what = fault_in(f, sep)?;
        Some(match files.len() {
            1 => what,
            _ => format!("{} {what}", f.display()),
        })
    })
}

/// The first fault of one file: `line L: …`.
fn fault_in(path: &Path, sep: u8) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut chunk = vec![0u8; 1 << 20];
    let chunks = std::iter::from_fn(move || match file.read(&mut chunk) {
        Ok(0) | Err(_) => None,
        Ok(n) => Some(chunk[..n].to_vec()),
    });
    fault_in_bytes(chunks.flatten(), sep)
}

/// The first fault in `bytes`, a CSV file's content (the first record its
/// header): a record with more fields than the header, or a quote still
/// open at the end. Quotes are counted as polars finds rows: every quote
/// opens or closes a quoted stretch wherever it is (so HubSpot's header
/// `Date entered "Marketing Qualified Lead"` is fine, and a lone `6"
/// screen` opens a stretch that never closes). A header whose own line
/// leaves a quote open is no CSV header: its other errors are the
/// reader's to name (`None`).
fn fault_in_bytes(bytes: impl Iterator<Item = u8>, sep: u8) -> Option<String> {
    let mut line = 1u64; // the physical line we are on
    let mut record_line = 1u64; // where the current record started
    let mut record = 0u64; // 0 is the header
    let mut fields = 1u64;
    let mut header: Option<u64> = None;
    let mut quoted = false;
    let mut quote_line = 0u64;
    let mut empty = true;
    let end_record =
        |fields: u64, record_line: u64, record: u64, header: &mut Option<u64>| match *header {
            None => {
                *header = Some(fields);
                None
            }
            Some(h) if fields > h => Some(format!(
                "line {record_line} (data row {record}): {fields} fields where the header has {h}; \
                 a value holding the separator must be quoted"
            )),
            Some(_) => None,
        };
    for b in bytes {
        match b {
            b'"' => {
                if !quoted {
                    quote_line = line;
                }
                quoted = !quoted;
                empty = false;
            }
            b'\n' => {
                if quoted && header.is_none() {
                    return None;
                }
                line += 1;
                if quoted {
                    continue;
                }
                if !empty {
                    if let Some(fault) = end_record(fields, record_line, record, &mut header) {
                        return Some(fault);
                    }
                    record += 1;
                }
                fields = 1;
                empty = true;
                record_line = line;
            }
            b'\r' => {}
            b if b == sep && !quoted => {
                fields += 1;
                empty = false;
            }
            _ => empty = false,
        }
    }
    if quoted && header.is_some() {
        return Some(format!(
            "line {quote_line}: a quote opens here and never closes (every row after it reads \
             as one value); a value holding a quote must be quoted, its quotes doubled \
             (\"6\"\" screen\")"
        ));
    }
    match empty {
        true => None,
        false => end_record(fields, record_line, record, &mut header),
    }
}

/// polars' own text, less its advice on settings of its API (a leadloop
/// user cannot set `truncate_ragged_lines` or `infer_schema_length`).
pub fn without_advice(detail: &str) -> &str {
    [
        "; Consider setting",
        "; You might want to try",
        "You might want to try",
    ]
    .iter()
    .filter_map(|cut| detail.find(cut))
    .min()
    .map_or(detail, |at| detail[..at].trim_end_matches([';', ' ', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(text: &str) -> Option<String> {
        fault_in_bytes(text.bytes(), b',')
    }

    #[test]
    fn a_row_with_more_fields_than_the_header_is_named_by_line() {
        let csv = "id,at,source\nL1,2024-01-01,a\nL2,2024-01-02,b,extra\n";
        let got = fault(csv).unwrap();
        assert!(
            got.starts_with("line 3 (data row 2): 4 fields where the header has 3"),
            "{got}"
        );
        // Short rows, blank lines, CRLF and a last line without its end are fine.
        assert_eq!(fault("a,b\r\n1\r\n\r\n1,2"), None);
        // A separator or line end inside quotes is part of the value; the
        // line counted is where the row starts.
        let quoted = "a,b\n\"x,\ny\",2\n1,2,3\n";
        assert!(fault(quoted).unwrap().starts_with("line 4 (data row 2)"));
        assert_eq!(fault("a,b\n\"say \"\"hi\"\", ok\",2\n"), None);
        // A lone quote inside a value never closes (a 6" screen); quotes
        // in pairs inside a header are HubSpot's, and fine.
        let inch = fault("a,b,c\nL1,6\" screen,x\nL2,7,y\n").unwrap();
        assert!(inch.starts_with("line 2: a quote opens here"), "{inch}");
        assert_eq!(fault("id,Date entered \"MQL (x)\"\n1,2024-01-01\n"), None);
        // A header that leaves a quote open is not judged here.
        assert_eq!(fault("\"id,a\n1,2\n"), None);
    }

    #[test]
    fn a_quote_left_open_is_named_by_the_line_it_opens_on() {
        let got = fault("a,b\n1,2\n\"3,4\n5,6\n").unwrap();
        assert!(got.starts_with("line 3: a quote opens here"), "{got}");
    }

    #[test]
    fn polars_advice_is_cut() {
        let ragged = "found more fields than defined in 'Schema'; Consider setting 'truncate_ragged_lines=true'.";
        assert_eq!(
            without_advice(ragged),
            "found more fields than defined in 'Schema'"
        );
        assert_eq!(without_advice("plain"), "plain");
    }
}
