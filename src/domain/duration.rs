//! Durations as users write them: `90s`, `5m`, `12h`, `7d`.

use chrono::TimeDelta;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(TimeDelta);

impl Duration {
    pub const fn seconds(s: i64) -> Self {
        Duration(TimeDelta::seconds(s))
    }

    pub fn as_delta(self) -> TimeDelta {
        self.0
    }

    /// Parses `<number><unit>` with unit `s`, `m`, `h` or `d`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("invalid duration `{text}`: write a whole number and a unit, e.g. `90s`, `5m`, `12h` or `7d`")
        };
        let text_trimmed = text.trim();
        let (digits, unit) = text_trimmed.split_at(
            text_trimmed
                .find(|c: char| !c.is_ascii_digit())
                .ok_or_else(bad)?,
        );
        if digits.is_empty() {
            return Err(bad());
        }
        let n: i64 = digits.parse().map_err(|_| bad())?;
        let per_unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        // Ten years is more than any token lives; it also keeps the arithmetic finite.
        const MAX_SECONDS: i64 = 10 * 366 * 86_400;
        match n.checked_mul(per_unit) {
            Some(s) if s <= MAX_SECONDS => Ok(Duration::seconds(s)),
            _ => Err(format!(
                "invalid duration `{text}`: at most ten years (3660d)"
            )),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.num_seconds();
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
            if s != 0 && s % size == 0 {
                return write!(f, "{}{unit}", s / size);
            }
        }
        write!(f, "{s}s")
    }
}

impl std::str::FromStr for Duration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Duration::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Duration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit() {
        assert_eq!(Duration::parse("90s").unwrap(), Duration::seconds(90));
        assert_eq!(Duration::parse("5m").unwrap(), Duration::seconds(300));
        assert_eq!(Duration::parse("12h").unwrap(), Duration::seconds(43_200));
        assert_eq!(Duration::parse("7d").unwrap(), Duration::seconds(604_800));
        assert_eq!(Duration::parse("0s").unwrap(), Duration::seconds(0));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "",
            "7",
            "d",
            "7 d",
            "7days",
            "-5m",
            "1.5h",
            "5M",
            "99999999999999999999s",
            "4000d",
        ] {
            let err = Duration::parse(bad).unwrap_err();
            assert!(err.starts_with("invalid duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn displays_in_the_largest_whole_unit() {
        assert_eq!(Duration::seconds(604_800).to_string(), "7d");
        assert_eq!(Duration::seconds(7200).to_string(), "2h");
        assert_eq!(Duration::seconds(90).to_string(), "90s");
        assert_eq!(Duration::seconds(0).to_string(), "0s");
    }
}
