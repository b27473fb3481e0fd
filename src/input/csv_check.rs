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

/// The first structural fault of the CSV files `files` (each with its
/// separator in `separators`, a comma where it has none): `"line L: …"`,
/// or `"FILE line L: …"` when the table is not named by that one file
/// (`shown`: a glob or a folder); `None` when every row has at most the
/// header's fields and every quote closes.
///
/// Errors: a file that cannot be read is the reader's to report (`None`).
pub fn first_fault(files: &[std::path::PathBuf], separators: &[u8], shown: &str) -> Option<String> {
    files.iter().enumerate().find_map(|(i, f)| {
        let what = fault_in(f, separators.get(i).copied().unwrap_or(b','))?;
        Some(match files.len() == 1 && f.display().to_string() == shown {
            true => what,
            false => format!("{} {what}", f.display()),
        })
    })
}

/// The first fault of one file: `line L: …`.
fn fault_in(path: &Path, sep: u8) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut chunk = vec![0u8; 1 << 20];
    let mut walk = Walk::new(sep);
    loop {
        match file.read(&mut chunk) {
            Ok(0) | Err(_) => return walk.end(),
            Ok(n) => match walk.feed(&chunk[..n]) {
                Walked::On => {}
                Walked::Fault(fault) => return Some(fault),
                Walked::NoHeader => return None,
            },
        }
    }
}

/// Where a walk stands after a chunk.
enum Walked {
    On,
    Fault(String),
    /// The header's own line leaves a quote open: no CSV header, whose
    /// errors are the reader's to name.
    NoHeader,
}

/// A walk over a CSV file's bytes, chunk by chunk, for the first record
/// (the first is the header) with more fields than the header, or a quote
/// still open at the end. Quotes are counted as polars finds rows: every
/// quote opens or closes a quoted stretch wherever it is (so HubSpot's
/// header `Date entered "Marketing Qualified Lead"` is fine, and a lone
/// `6" screen` opens a stretch that never closes). Only quotes, line ends
/// and separators are visited (`memchr`): a 3.3 GB touches CSV (10M
/// generated leads) took 3.3-4.5 s from the page cache, against 9.4-10.6 s
/// visiting every byte.
struct Walk {
    sep: u8,
    /// The physical line we are on, and where the current record started.
    line: u64,
    record_line: u64,
    /// The current record's number (0 the header) and fields so far.
    record: u64,
    fields: u64,
    header: Option<u64>,
    quoted: bool,
    quote_line: u64,
    /// Whether the current record has had anything but `\r`.
    empty: bool,
}

impl Walk {
    fn new(sep: u8) -> Walk {
        Walk {
            sep,
            line: 1,
            record_line: 1,
            record: 0,
            fields: 1,
            header: None,
            quoted: false,
            quote_line: 0,
            empty: true,
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Walked {
        let mut at = 0;
        let text = |from: usize, to: usize, empty: &mut bool| {
            if *empty && chunk[from..to].iter().any(|&b| b != b'\r') {
                *empty = false;
            }
        };
        for hit in memchr::memchr3_iter(b'"', b'\n', self.sep, chunk) {
            text(at, hit, &mut self.empty);
            at = hit + 1;
            match chunk[hit] {
                b'"' => {
                    if !self.quoted {
                        self.quote_line = self.line;
                    }
                    self.quoted = !self.quoted;
                    self.empty = false;
                }
                b'\n' => {
                    if self.quoted && self.header.is_none() {
                        return Walked::NoHeader;
                    }
                    self.line += 1;
                    if self.quoted {
                        continue;
                    }
                    if let Some(fault) = self.end_record() {
                        return Walked::Fault(fault);
                    }
                    self.record_line = self.line;
                }
                _ if !self.quoted => {
                    self.fields += 1;
                    self.empty = false;
                }
                _ => {}
            }
        }
        text(at, chunk.len(), &mut self.empty);
        Walked::On
    }

    /// The record ends: the header's count, or a fault; then a new record.
    fn end_record(&mut self) -> Option<String> {
        let fields = std::mem::replace(&mut self.fields, 1);
        if std::mem::replace(&mut self.empty, true) {
            return None;
        }
        self.record += 1;
        match self.header {
            None => {
                self.header = Some(fields);
                None
            }
            Some(h) if fields > h => Some(format!(
                "line {} (data row {}): {fields} fields where the header has {h}; \
                 a value holding the separator must be quoted",
                self.record_line,
                self.record - 1
            )),
            Some(_) => None,
        }
    }

    /// The fault at the end of the file, if any.
    fn end(mut self) -> Option<String> {
        if self.quoted {
            return self.header.map(|_| {
                format!(
                    "line {}: a quote opens here and never closes (every row after it reads \
                     as one value); a value holding a quote must be quoted, its quotes doubled \
                     (\"6\"\" screen\")",
                    self.quote_line
                )
            });
        }
        self.end_record()
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

    /// The fault of `text`, which every way of cutting it into chunks
    /// agrees on.
    fn fault(text: &str) -> Option<String> {
        let walk = |size: usize| {
            let mut walk = Walk::new(b',');
            for chunk in text.as_bytes().chunks(size.max(1)) {
                match walk.feed(chunk) {
                    Walked::On => {}
                    Walked::Fault(f) => return Some(f),
                    Walked::NoHeader => return None,
                }
            }
            walk.end()
        };
        let whole = walk(text.len());
        for size in 1..8 {
            assert_eq!(walk(size), whole, "chunks of {size}: {text:?}");
        }
        whole
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
