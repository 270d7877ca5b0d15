//! cty numbers: arbitrary precision in cty, three representations here.

use std::fmt;

use super::ValueError;

/// A cty number. cty numbers are arbitrary-precision decimals; the common cases get
/// native representations and everything else keeps its decimal text.
///
/// Equality is numeric: `Int(2) == Float(2.0)`, and `Big` text that turns out to fit
/// an `Int` or `Float` compares as that. Two `Big`s compare by their text.
#[derive(Debug, Clone)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Decimal text that fits neither, e.g. `"123456789012345678901234567890"` or
    /// `"1.5e400"`.
    Big(String),
}

/// The most significant digits an f64 can be trusted with: every decimal of up to
/// 17 significant digits maps to an f64 that prints back to within that precision.
const F64_DIGITS: usize = 17;

impl Number {
    /// Parses decimal text (JSON number syntax) into the smallest fitting form:
    /// `Int` when integral and within i64; `Float` when it has at most 17
    /// significant digits and lies within f64's range; `Big` otherwise.
    pub fn from_decimal(text: &str) -> Result<Number, ValueError> {
        let decimal = Decimal::parse(text)
            .ok_or_else(|| ValueError::new(format!("{text:?} is not a number")))?;
        if let Some(i) = decimal.to_i64() {
            return Ok(Number::Int(i));
        }
        if decimal.digits.len() <= F64_DIGITS {
            if let Ok(f) = text.parse::<f64>() {
                // A zero from nonzero digits is underflow, not a fit.
                if f.is_finite() && f != 0.0 {
                    return Ok(Number::Float(f));
                }
            }
        }
        Ok(Number::Big(text.to_owned()))
    }

    /// The value as i64 when it is integral and fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self.normalized() {
            Number::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The value as f64: exact for `Float`, rounded for large `Int`s and for `Big`
    /// numbers within f64's range, None for `Big` numbers beyond it.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Big(text) => text.parse::<f64>().ok().filter(|f| f.is_finite()),
        }
    }

    /// Decimal text in JSON number syntax (floats in their shortest exact form).
    /// None for NaN and infinities, which cty numbers cannot hold.
    pub fn to_decimal(&self) -> Option<String> {
        match self.normalized() {
            Number::Int(i) => Some(i.to_string()),
            Number::Float(f) if f.is_finite() => serde_json::to_string(&f).ok(),
            Number::Float(_) => None,
            Number::Big(text) => Some(text),
        }
    }

    /// The canonical form: integral floats within i64 become `Int`, `Big` text that
    /// fits becomes `Int`/`Float`.
    pub(crate) fn normalized(&self) -> Number {
        match self {
            Number::Int(i) => Number::Int(*i),
            Number::Float(f) => match f64_to_i64(*f) {
                Some(i) => Number::Int(i),
                None => Number::Float(*f),
            },
            Number::Big(text) => {
                Number::from_decimal(text).unwrap_or_else(|_| Number::Big(text.clone()))
            }
        }
    }
}

/// The i64 an f64 holds exactly, if any.
pub(crate) fn f64_to_i64(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; i64 covers [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self.normalized(), other.normalized()) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Big(a), Number::Big(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_decimal() {
            Some(text) => f.write_str(&text),
            None => write!(f, "{self:?}"),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::Int(i)
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Number {
        match i64::try_from(u) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Big(u.to_string()),
        }
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::Float(f)
    }
}

/// A validated decimal in JSON number syntax, reduced to `digits × 10^exponent`
/// with no leading or trailing zeros in `digits` (empty for zero).
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent_text) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((int_part, frac_part)) => (int_part, frac_part),
            None => (mantissa, "0"),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int_part) || !all_digits(frac_part) {
            return None;
        }
        let mut exponent: i64 = match exponent_text {
            None => 0,
            Some(e) => {
                let unsigned_e = e.strip_prefix(['+', '-']).unwrap_or(e);
                if !all_digits(unsigned_e) {
                    return None;
                }
                // Exponents beyond i64 are valid syntax but never fit i64/f64;
                // saturating keeps them classified as Big.
                e.parse().unwrap_or(if e.starts_with('-') {
                    i64::MIN / 2
                } else {
                    i64::MAX / 2
                })
            }
        };
        let mut digits = format!("{int_part}{frac_part}");
        exponent = exponent.saturating_sub(frac_part.len() as i64);
        let trimmed_end = digits.trim_end_matches('0').len();
        exponent = exponent.saturating_add((digits.len() - trimmed_end) as i64);
        digits.truncate(trimmed_end);
        let digits = digits.trim_start_matches('0').to_owned();
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }

    fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let zeros = usize::try_from(self.exponent).ok()?;
        if self.digits.len() + zeros > 19 {
            return None;
        }
        let sign = if self.negative { "-" } else { "" };
        format!("{sign}{}{}", self.digits, "0".repeat(zeros))
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Number {
        Number::from_decimal(text).unwrap()
    }

    #[test]
    fn decimal_text_picks_the_smallest_fitting_form() {
        assert!(matches!(parsed("42"), Number::Int(42)));
        assert!(matches!(parsed("-0"), Number::Int(0)));
        assert!(matches!(parsed("1.50e1"), Number::Int(15)));
        assert!(matches!(
            parsed("-9223372036854775808"),
            Number::Int(i64::MIN)
        ));
        assert!(matches!(parsed("0.1"), Number::Float(f) if f == 0.1));
        assert!(matches!(parsed("1e20"), Number::Float(f) if f == 1e20));
        assert!(matches!(parsed("9223372036854775808"), Number::Big(_)));
        assert!(matches!(
            parsed("123456789012345678901234567890"),
            Number::Big(_)
        ));
        assert!(matches!(parsed("1.5e400"), Number::Big(_)));
        assert!(matches!(parsed("1e-400"), Number::Big(_)));
    }

    #[test]
    fn malformed_text_is_rejected() {
        for bad in [
            "", "-", "1.", ".5", "1e", "1e+", "0x10", "inf", "NaN", "1 ", "+1",
        ] {
            assert!(Number::from_decimal(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn equality_is_numeric() {
        assert_eq!(Number::Int(2), Number::Float(2.0));
        assert_eq!(Number::Big("2.0".into()), Number::Int(2));
        assert_ne!(Number::Int(2), Number::Float(2.5));
        assert_ne!(Number::Big("1e400".into()), Number::Big("1e401".into()));
    }

    #[test]
    fn conversions() {
        assert_eq!(Number::Float(3.0).as_i64(), Some(3));
        assert_eq!(Number::Float(3.5).as_i64(), None);
        assert_eq!(Number::Big("1e400".into()).as_f64(), None);
        assert_eq!(
            Number::from(u64::MAX),
            Number::Big("18446744073709551615".into())
        );
        assert_eq!(Number::Float(0.5).to_decimal().as_deref(), Some("0.5"));
        assert_eq!(Number::Float(f64::NAN).to_decimal(), None);
    }
}
