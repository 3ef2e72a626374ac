//! The little of RFC 3339 the engine needs: validation and the local hour.

/// The local hour (0..=23) of an RFC 3339 timestamp with offset, such as
/// `2026-03-01T23:40:00+08:00`, or `None` when the text is not one.
pub(crate) fn local_hour(ts: &str) -> Option<u8> {
    let b = ts.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = b.get(19..)?;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = frac.get(n..)?;
    }
    let offset_ok = match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let all = [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit());
            all && (h1 - b'0') * 10 + (h2 - b'0') <= 23 && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    };
    offset_ok.then_some(hour as u8)
}

/// The hour of a timestamp already validated by [`local_hour`] (as every
/// parsed operation's is), read straight from its fixed position. For a text
/// that is no timestamp it may give `None` or an hour; it never panics.
#[inline]
pub(crate) fn hour_of_valid(ts: &str) -> Option<u8> {
    match ts.as_bytes().get(11..14)? {
        [h1 @ b'0'..=b'2', h2 @ b'0'..=b'9', b':'] => Some((h1 - b'0') * 10 + (h2 - b'0')).filter(|h| *h < 24),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{hour_of_valid, local_hour};

    #[test]
    fn the_fast_hour_agrees_on_valid_timestamps() {
        for ts in ["2026-03-01T23:40:00+08:00", "2026-03-01T02:05:09.123Z", "2024-02-29 10:00:00-05:00"] {
            assert_eq!(hour_of_valid(ts), local_hour(ts), "{ts}");
        }
        assert_eq!(hour_of_valid("short"), None);
    }

    #[test]
    fn accepts_rfc3339_with_offset() {
        assert_eq!(local_hour("2026-03-01T23:40:00+08:00"), Some(23));
        assert_eq!(local_hour("2026-03-01T02:05:09.123Z"), Some(2));
        assert_eq!(local_hour("2024-02-29T10:00:00-05:00"), Some(10));
    }

    #[test]
    fn rejects_other_forms() {
        for bad in [
            "2026-03-01",
            "2026-03-01T23:40:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T10:00:00Z",
            "2026-03-01T24:00:00Z",
            "yesterday",
        ] {
            assert_eq!(local_hour(bad), None, "{bad}");
        }
    }
}
