//! The time zone reporting periods are cut in (SPEC §1, §3), parsed once
//! from the config and then handed to chrono and polars as a checked value.

use polars::prelude::TimeZone;

/// An IANA time zone (default UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(chrono_tz::Tz);

impl Zone {
    pub const UTC: Zone = Zone(chrono_tz::UTC);

    /// The zone named `name`, or a message saying it is not one.
    pub fn parse(name: &str) -> Result<Zone, String> {
        name.parse::<chrono_tz::Tz>()
            .map(Zone)
            .map_err(|_| format!("\"{name}\" is not an IANA time zone (e.g. UTC, Europe/Berlin)"))
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The same zone as polars names it.
    pub fn polars(&self) -> TimeZone {
        TimeZone::from_chrono(&self.0)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::UTC
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_parse_once_and_name_themselves() {
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(ny.name(), "America/New_York");
        assert_eq!(ny.polars().to_string(), "America/New_York");
        assert!(Zone::parse("Mars/Olympus")
            .unwrap_err()
            .contains("Mars/Olympus"));
        assert_eq!(Zone::default(), Zone::UTC);
    }
}
