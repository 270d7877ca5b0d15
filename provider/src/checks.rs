//! Small validation helpers shared by the provider configuration, resources and data
//! sources. Each check skips null and unknown values (checked again once known) and puts
//! its error on the attribute's path with the offending value and the fix.

use tfplugin::diag::{AttributePath, Diagnostics};
use tfplugin::value::Value;

/// A whole number in `min..=max`; returns it when known and valid.
pub fn int_in_range(
    v: &Value,
    path: AttributePath,
    min: i64,
    max: i64,
    diags: &mut Diagnostics,
) -> Option<i64> {
    if v.is_null() || v.is_unknown() {
        return None;
    }
    let name = path.to_string();
    match (v.as_i64(), v.as_f64()) {
        (Some(n), _) if (min..=max).contains(&n) => Some(n),
        (Some(n), _) => {
            diags.error_at(
                path,
                format!("Invalid {name}"),
                format!("{name} is {n}; it must be between {min} and {max}. Set a value in that range or remove it to use the default."),
            );
            None
        }
        (None, Some(f)) => {
            diags.error_at(
                path,
                format!("Invalid {name}"),
                format!("{name} is {f}; it must be a whole number between {min} and {max}."),
            );
            None
        }
        (None, None) => {
            diags.error_at(
                path,
                format!("Invalid {name}"),
                format!("{name} must be a number between {min} and {max}."),
            );
            None
        }
    }
}

/// A known, non-null string value.
pub fn known_str(v: &Value) -> Option<&str> {
    if v.is_unknown() {
        None
    } else {
        v.as_str()
    }
}

/// Adds an error unless `ok(value)` holds for a known string.
pub fn string_matches(
    v: &Value,
    path: AttributePath,
    ok: impl Fn(&str) -> bool,
    expected: &str,
    diags: &mut Diagnostics,
) -> Option<String> {
    let s = known_str(v)?;
    if ok(s) {
        return Some(s.to_string());
    }
    let name = path.to_string();
    diags.error_at(
        path,
        format!("Invalid {name}"),
        format!("{name} is {s:?}; {expected}"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::value::Number;

    #[test]
    fn int_in_range_names_path_value_and_range() {
        let mut d = Diagnostics::new();
        let got = int_in_range(
            &Value::Number(Number::Int(0)),
            AttributePath::root("echo_count"),
            1,
            100,
            &mut d,
        );
        assert_eq!(got, None);
        let msg = d.0[0].to_string();
        assert!(msg.contains("echo_count is 0"), "{msg}");
        assert!(msg.contains("between 1 and 100"), "{msg}");
        assert_eq!(d.0[0].attribute, Some(AttributePath::root("echo_count")));
    }

    #[test]
    fn unknown_and_null_are_not_checked_yet() {
        let mut d = Diagnostics::new();
        assert_eq!(
            int_in_range(&Value::Unknown, AttributePath::root("x"), 1, 2, &mut d),
            None
        );
        assert_eq!(
            int_in_range(&Value::Null, AttributePath::root("x"), 1, 2, &mut d),
            None
        );
        assert!(d.is_empty());
        let got = int_in_range(
            &Value::Number(Number::Float(1.5)),
            AttributePath::root("x"),
            1,
            2,
            &mut d,
        );
        assert_eq!(got, None);
        assert!(d.0[0].to_string().contains("whole number"));
    }
}
