//! The `timeouts` attribute: durations written like `30m`, `1h30m` or `90s`.

use std::time::Duration;

use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::Value;

pub const DEFAULT_CREATE: &str = "30m";
pub const DEFAULT_UPDATE: &str = "30m";
pub const DEFAULT_DELETE: &str = "30m";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        let parse = |s: &str| parse_duration(s).expect("default timeouts parse");
        Timeouts {
            create: parse(DEFAULT_CREATE),
            update: parse(DEFAULT_UPDATE),
            delete: parse(DEFAULT_DELETE),
        }
    }
}

/// Parses a sequence of `<number><unit>` with units `h`, `m`, `s` (as Go's
/// `time.ParseDuration` and other providers' timeouts accept), e.g. `1h30m`.
pub fn parse_duration(text: &str) -> Option<Duration> {
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
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
        any = true;
    }
    (any && digits.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

/// Reads `timeouts` (null, or an object whose attributes may be null or unknown),
/// reporting bad durations on their paths. Unknown and null values take the defaults.
pub fn from_config(value: &Value, diags: &mut Diagnostics) -> Timeouts {
    let mut t = Timeouts::default();
    for (name, slot) in [
        ("create", &mut t.create),
        ("update", &mut t.update),
        ("delete", &mut t.delete),
    ] {
        let Some(text) = value.get(name).as_str() else {
            continue;
        };
        match parse_duration(text) {
            Some(d) => *slot = d,
            None => diags.error_at(
                AttributePath::root("timeouts").attr(name),
                "Invalid timeout",
                format!("timeouts.{name} is {text:?}; write a positive duration such as \"30m\", \"1h30m\" or \"90s\" (units h, m, s)."),
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
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        for bad in ["", "30", "m", "1.5h", "-1m", "0s", "10 minutes"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
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
}
