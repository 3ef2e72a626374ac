//! Money amounts: decimals read from the JSON text itself.
//!
//! The contract accepts an amount as a string (`"50000.00"`) or as a JSON
//! number (`50000.00`). Both are taken from the raw JSON text, so a number is
//! never rounded through `f64`.

use rust_decimal::Decimal;
use serde::de::{Deserializer, Error as _};
use serde::ser::Serializer;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::operation::{InputError, MAX_AMOUNT_SCALE};

/// Parse the text of an amount: optional minus, digits, optional fraction,
/// optionally an exponent when it came as a JSON number.
pub(crate) fn parse(text: &str) -> Result<Decimal, String> {
    let (body, quoted) = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => (inner, true),
        None => (text, false),
    };
    let digits = body.strip_prefix('-').unwrap_or(body);
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) if !quoted => (&digits[..i], Some(&digits[i + 1..])),
        _ => (digits, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let well_formed = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (!mantissa.contains('.') || !frac.is_empty())
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
    if !well_formed {
        return Err(format!("`{body}` is not a decimal amount"));
    }
    let parsed = if exponent.is_some() { Decimal::from_scientific(body) } else { Decimal::from_str_exact(body) };
    parsed.map_err(|_| format!("`{body}` is out of the supported range"))
}

pub(crate) fn check_positive(path: &str, amount: Decimal) -> Result<(), InputError> {
    if amount <= Decimal::ZERO {
        return Err(InputError::new(Some(path.to_string()), format!("must be greater than 0, got {amount}")));
    }
    check_scale(path, amount)
}

pub(crate) fn check_non_negative(path: &str, amount: Decimal) -> Result<(), InputError> {
    if amount < Decimal::ZERO {
        return Err(InputError::new(Some(path.to_string()), format!("must not be negative, got {amount}")));
    }
    check_scale(path, amount)
}

fn check_scale(path: &str, amount: Decimal) -> Result<(), InputError> {
    if amount.normalize().scale() > MAX_AMOUNT_SCALE {
        return Err(InputError::new(
            Some(path.to_string()),
            format!("has more than {MAX_AMOUNT_SCALE} decimal places: {amount}"),
        ));
    }
    Ok(())
}

/// serde helpers for a required amount field.
pub(crate) mod required {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        parse(raw.get()).map_err(D::Error::custom)
    }

    pub(crate) fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

/// serde helpers for an optional amount field (`null` or absent = unknown).
pub(crate) mod optional {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let raw = Option::<Box<RawValue>>::deserialize(d)?;
        match raw {
            None => Ok(None),
            Some(raw) if raw.get() == "null" => Ok(None),
            Some(raw) => parse(raw.get()).map(Some).map_err(D::Error::custom),
        }
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_keep_every_digit() {
        assert_eq!(parse("\"50000.00\"").unwrap().to_string(), "50000.00");
        assert_eq!(parse("0.1").unwrap().to_string(), "0.1");
        assert_eq!(parse("12345678901234567.8901").unwrap().to_string(), "12345678901234567.8901");
        assert_eq!(parse("5e4").unwrap(), Decimal::from(50000));
    }

    #[test]
    fn malformed_amounts_are_rejected() {
        for bad in ["\"\"", "\"1,000\"", "\"5万\"", "\"1e5\"", "\"+3\"", "\".5\"", "\"5.\"", "true", "\"NaN\""] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
