//! How quantities read in messages users see (never Rust's `Debug` of a value).

use std::time::Duration;

/// "45 s", "0.5 s": a duration as a user reads it.
pub fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_seconds() {
        assert_eq!(seconds(Duration::from_secs(45)), "45 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
        assert_eq!(seconds(Duration::from_millis(10_250)), "10.2 s");
    }
}
