//! One-value files: counters (`memory.current`, `pids.peak`, `cpuacct.usage`) and
//! limits (`memory.max`, `pids.max`, `memory.limit_in_bytes`).

use cgroups_core::Limit;

use crate::error::{Error, Result};

/// The smallest value a cgroup v1 file prints for "unlimited" (C14).
///
/// v1 memory and hugetlb files print `PAGE_COUNTER_MAX` pages in bytes, which is
/// 2^63 − 1 rounded down to the page size: `9223372036854771712` with 4 KiB pages,
/// `9223372036854710272` with 64 KiB pages. Every page size up to 64 KiB lands at or
/// above 2^63 − 2^16, so the whole range means unlimited, not one magic number.
pub const V1_UNLIMITED_FLOOR: u64 = (1 << 63) - (1 << 16);

/// Parses a file holding one counter, such as `memory.current` or `cpuacct.usage`.
///
/// Surrounding whitespace (the trailing newline) is ignored. A negative number is
/// read as `0`: some kernels report negative values in memory statistics through an
/// accounting race, and a counter below zero means "nothing" (C14).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for an empty file, a value that is
/// not a decimal number, or one above `u64::MAX`.
pub fn counter(text: &[u8]) -> Result<u64> {
    let value = text.trim_ascii();
    counter_value(value).map_err(|problem| Error::parse(problem, value))
}

/// Parses a file holding a limit: a number, or one of the kernel's spellings of
/// "unlimited".
///
/// [`Limit::Max`] for `max` (cgroup v2 and `pids.max`), `-1` (v1 `cpu.cfs_quota_us`)
/// and any value at or above [`V1_UNLIMITED_FLOOR`] (v1 memory files).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for an empty file, other negative
/// numbers, or text that is not a number.
pub fn limit(text: &[u8]) -> Result<Limit> {
    let value = text.trim_ascii();
    match value {
        b"max" | b"-1" => return Ok(Limit::Max),
        [b'-', ..] => {
            let problem = "a negative limit other than -1 has no meaning";
            return Err(Error::parse(problem, value));
        }
        _ => {}
    }
    let n = counter_value(value).map_err(|problem| Error::parse(problem, value))?;
    Ok(match n >= V1_UNLIMITED_FLOOR {
        true => Limit::Max,
        false => Limit::Value(n),
    })
}

/// Parses one counter field (no surrounding whitespace); negative saturates to 0.
pub(crate) fn counter_value(value: &[u8]) -> Result<u64, &'static str> {
    match value {
        [] => Err("the value is empty; expected a number"),
        [b'-', digits @ ..] if all_digits(digits) => Ok(0),
        digits => unsigned(digits),
    }
}

/// Parses a decimal `u64` (digits only).
pub(crate) fn unsigned(digits: &[u8]) -> Result<u64, &'static str> {
    if !all_digits(digits) {
        return Err("expected an unsigned decimal number");
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)
            .and_then(|acc| acc.checked_add(u64::from(d - b'0')))
            .ok_or("the number is larger than 18446744073709551615 (u64::MAX)")
    })
}

fn all_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn counter_reads_a_number_with_its_newline() {
        assert_eq!(counter(b"2048\n").unwrap(), 2048);
        assert_eq!(counter(b"18446744073709551615").unwrap(), u64::MAX);
    }

    #[test]
    fn negative_counter_saturates_to_zero() {
        assert_eq!(counter(b"-12345\n").unwrap(), 0);
        assert_eq!(counter(b"-4096").unwrap(), 0);
        // Below i64::MIN: still zero, not an error (C14).
        assert_eq!(counter(b"-9223372036854775809").unwrap(), 0);
    }

    #[test]
    fn counter_refuses_empty_text_words_and_overflow() {
        for text in [
            &b""[..],
            b"\n",
            b"not-a-number",
            b"12 13",
            b"-",
            b"+5",
            b"1.5",
        ] {
            let err = counter(text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Parse, "{text:?}");
        }
        let err = counter(b"18446744073709551616\n").unwrap_err();
        assert_eq!(err.value(), Some("18446744073709551616"));
        assert!(err.to_string().contains("larger than"), "{err}");
    }

    #[test]
    fn max_is_unlimited() {
        assert_eq!(limit(b"max\n").unwrap(), Limit::Max);
    }

    #[test]
    fn v2_and_pids_numbers_are_finite_limits() {
        assert_eq!(limit(b"4096\n").unwrap(), Limit::Value(4096));
        assert_eq!(limit(b"0").unwrap(), Limit::Value(0));
    }

    #[test]
    fn v1_page_rounded_maximum_is_unlimited_for_every_page_size() {
        assert_eq!(limit(b"9223372036854771712\n").unwrap(), Limit::Max); // 4 KiB
        assert_eq!(limit(b"9223372036854710272\n").unwrap(), Limit::Max); // 64 KiB
        assert_eq!(limit(b"9223372036854775807").unwrap(), Limit::Max); // i64::MAX
        let below = (V1_UNLIMITED_FLOOR - 1).to_string();
        assert_eq!(
            limit(below.as_bytes()).unwrap(),
            Limit::Value(V1_UNLIMITED_FLOOR - 1)
        );
    }

    #[test]
    fn minus_one_quota_is_unlimited_other_negatives_are_errors() {
        assert_eq!(limit(b"-1\n").unwrap(), Limit::Max);
        assert_eq!(limit(b"-2").unwrap_err().kind(), ErrorKind::Parse);
    }

    #[test]
    fn empty_limit_is_a_parse_error() {
        assert_eq!(limit(b"").unwrap_err().kind(), ErrorKind::Parse);
        assert_eq!(limit(b"unlimited").unwrap_err().kind(), ErrorKind::Parse);
    }
}

/// Parses a file holding a signed number (v1 `cpuset.sched_relax_domain_level`,
/// which is −1 by default).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for an empty file or text that
/// is not a number in the range of `i64`.
pub fn signed(text: &[u8]) -> Result<i64> {
    let value = text.trim_ascii();
    let (negative, digits) = match value {
        [b'-', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let n = unsigned(digits).map_err(|p| Error::parse(p, value))?;
    let out_of_range = || Error::parse("the number is outside the range of i64", value);
    match negative {
        true => 0i64.checked_sub_unsigned(n).ok_or_else(out_of_range),
        false => i64::try_from(n).map_err(|_| out_of_range()),
    }
}

#[cfg(test)]
mod signed_tests {
    use super::*;

    #[test]
    fn signed_values_parse_in_range() {
        assert_eq!(signed(b"-1\n").unwrap(), -1);
        assert_eq!(signed(b"5").unwrap(), 5);
        assert_eq!(signed(b"-9223372036854775808").unwrap(), i64::MIN);
        assert!(signed(b"-9223372036854775809").is_err());
        assert!(signed(b"9223372036854775808").is_err());
        assert!(signed(b"").is_err());
    }
}
