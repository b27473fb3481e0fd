//! SQL text for generated predicates: identifiers double-quoted, text
//! single-quoted (each quote doubled), numbers in shortest round-trip form.

/// `name` as an SQL identifier: `"job level"`, `"a""b"`.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as an SQL string literal: `'admin.'`, `'O''Brien'`.
pub fn text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `x` as an SQL number: Rust's shortest round-trip digits, never an
/// exponent, no trailing `.0` (`31`, `4.856`, `1083.6000000000004`); −0 is `0`.
pub fn number(x: f64) -> String {
    match x == 0.0 {
        true => "0".into(),
        false => format!("{x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_numbers() {
        assert_eq!(ident("emp.var.rate"), "\"emp.var.rate\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(text("O'Brien"), "'O''Brien'");
        assert_eq!(number(31.0), "31");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1083.6000000000004), "1083.6000000000004");
        assert_eq!(number(-42.7), "-42.7");
        assert_eq!(number(1e21), "1000000000000000000000");
        assert_eq!(number(1e-7), "0.0000001");
    }
}
