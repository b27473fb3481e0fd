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
        // A whole number beyond i64 would be read back as an integer
        // literal that does not fit: written with `.0`, it is a float.
        false if x.fract() == 0.0 && x.abs() >= 9.2e18 => format!("{x:.1}"),
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
        assert_eq!(number(1e21), "1000000000000000000000.0");
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(number(2e19), "20000000000000000000.0");
        assert_eq!(number(-3e19), "-30000000000000000000.0");
        // polars reads it back (an integer literal this size would not parse).
        assert!(polars::sql::sql_expr(format!("x < {}", number(2e19))).is_ok());
    }
}
