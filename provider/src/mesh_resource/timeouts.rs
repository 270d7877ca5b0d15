//! The `timeouts` attribute: durations written like `30m`, `1h30m` or `90s`.

use std::time::Duration;

use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::Value;

use super::parse::{read_input, TimeoutsInput};

pub const DEFAULT_CREATE: &str = "30m";
pub const DEFAULT_UPDATE: &str = "30m";
pub const DEFAULT_DELETE: &str = "30m";
/// The longest timeout accepted. Longer waits help nobody (EC2 settles within minutes or
/// not at all), and a bound keeps every deadline far from the limits of `Instant` and
/// tokio's timers, which panic on overflow.
pub const MAXIMUM: &str = "24h";
const MAXIMUM_SECONDS: u64 = 24 * 3600;

/// The domain type lives with the executor; this module only parses config into it.
pub use crate::mesh::execute::Timeouts;

/// Why a duration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// Not a sequence of `<number><unit>`, or zero.
    Malformed,
    /// Longer than [`MAXIMUM`] (including numbers too large to compute at all).
    TooLong,
}

/// Parses a sequence of `<number><unit>` with units `h`, `m`, `s` (as Go's
/// `time.ParseDuration` and other providers' timeouts accept), e.g. `1h30m`, up to
/// [`MAXIMUM`].
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let mut total = 0u64;
    let mut digits = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(DurationError::Malformed),
        };
        if digits.is_empty() {
            return Err(DurationError::Malformed);
        }
        // Only digits are left, so a failed parse means a number beyond u64.
        let n: u64 = digits.parse().map_err(|_| DurationError::TooLong)?;
        total = n
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or(DurationError::TooLong)?;
        digits.clear();
        any = true;
    }
    if !any || !digits.is_empty() || total == 0 {
        return Err(DurationError::Malformed);
    }
    if total > MAXIMUM_SECONDS {
        return Err(DurationError::TooLong);
    }
    Ok(Duration::from_secs(total))
}

/// Reads `timeouts` (null, or an object whose attributes may be null or unknown),
/// reporting bad durations on their paths. Unknown and null values take the defaults.
pub fn from_config(value: &Value, diags: &mut Diagnostics) -> Timeouts {
    let input: TimeoutsInput = read_input(value, &AttributePath::root("timeouts"), diags);
    let mut t = Timeouts::default();
    for (name, given, slot) in [
        ("create", input.create, &mut t.create),
        ("update", input.update, &mut t.update),
        ("delete", input.delete, &mut t.delete),
    ] {
        let Some(text) = given.present() else {
            continue;
        };
        let path = AttributePath::root("timeouts").attr(name);
        match parse_duration(&text) {
            Ok(d) => *slot = d,
            Err(DurationError::Malformed) => diags.error_at(
                path,
                "Invalid timeout",
                format!("timeouts.{name} is {text:?}; write a positive duration such as \"30m\", \"1h30m\" or \"90s\" (units h, m, s), at most {MAXIMUM:?}."),
            ),
            Err(DurationError::TooLong) => diags.error_at(
                path,
                "Timeout too long",
                format!("timeouts.{name} is {text:?}, longer than the maximum of {MAXIMUM:?}; write {MAXIMUM:?} or less. An apply that outlasts its timeout saves what exists, and the next apply continues from there."),
            ),
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_terraform_timeouts() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration(MAXIMUM), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("23h60m"), Ok(Duration::from_secs(86_400)));
        for bad in ["", "30", "m", "1.5h", "-1m", "0s", "10 minutes", "h30m"] {
            assert_eq!(parse_duration(bad), Err(DurationError::Malformed), "{bad}");
        }
    }

    #[test]
    fn durations_beyond_the_maximum_are_refused_not_overflowed() {
        let huge = [
            "24h1s",
            "86401s",
            "999999999999h",
            "5124095576030431h",
            "18446744073709551615s",
            "18446744073709551616s",
            "99999999999999999999999999999999h",
            "18446744073709551615s18446744073709551615s",
        ];
        for text in huge {
            assert_eq!(parse_duration(text), Err(DurationError::TooLong), "{text}");
        }
    }

    #[test]
    fn huge_timeouts_are_errors_on_their_path_naming_the_maximum() {
        for name in ["create", "update", "delete"] {
            let mut diags = Diagnostics::new();
            let value = Value::Object([(name.to_string(), Value::from("999999999999h"))].into());
            let t = from_config(&value, &mut diags);
            assert_eq!(diags.0.len(), 1);
            let diag = &diags.0[0];
            assert_eq!(
                diag.attribute.as_ref().map(ToString::to_string),
                Some(format!("timeouts.{name}"))
            );
            assert!(diag.detail.contains("\"24h\""), "{}", diag.detail);
            // The refused value never becomes a deadline.
            assert_eq!(t, Timeouts::default());
        }
    }

    #[test]
    fn bad_timeouts_are_reported_on_their_path() {
        let mut diags = Diagnostics::new();
        let value = Value::Object(
            [
                ("create".to_string(), Value::from("soon")),
                ("delete".to_string(), Value::from("5m")),
            ]
            .into(),
        );
        let t = from_config(&value, &mut diags);
        assert_eq!(diags.0.len(), 1);
        assert_eq!(
            diags.0[0]
                .attribute
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("timeouts.create")
        );
        assert_eq!(t.delete, Duration::from_secs(300));
        assert_eq!(t.update, Timeouts::default().update);
    }

    #[test]
    fn the_domain_defaults_are_the_documented_defaults() {
        let parsed = |s: &str| parse_duration(s).expect("default timeouts parse");
        let t = Timeouts::default();
        assert_eq!(t.create, parsed(DEFAULT_CREATE));
        assert_eq!(t.update, parsed(DEFAULT_UPDATE));
        assert_eq!(t.delete, parsed(DEFAULT_DELETE));
    }
}
