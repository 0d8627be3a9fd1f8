//! Ids: the range a user spec may ask for, and how numbers are recognised.
//!
//! Two different rules apply:
//!
//! - **In a user spec or a requested group** a part is *numeric* when it is an
//!   optional `+` or `-` followed by one or more ASCII digits (what Go's `Atoi`
//!   accepts). A numeric part is always an id, never a name, and must lie in
//!   `0..=`[`MAX_ID`]; `-1`, `2147483648` and `99999999999999999999` are range errors,
//!   even if a user of that name exists.
//! - **In a file** an id field is one or more ASCII digits (no sign, no spaces) with a
//!   value of at most 4294967294. `4294967295` is `(uid_t)-1`, which no process can
//!   have, so such a line is malformed. Ids above [`MAX_ID`] parse, and are refused
//!   with a range error only if resolution picks that entry.

use crate::{Error, Result};

/// The largest uid or gid a user spec may name: 2147483647 (2^31 - 1), as runtimes
/// require for the OCI `process.user`.
pub const MAX_ID: u32 = i32::MAX as u32;

/// One part of a user spec (`user` or `group` of `user:group`), or a requested group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpecArg<'a> {
    /// The part is empty.
    Absent,
    /// A numeric part, in range.
    Id(u32),
    /// Anything else: a name.
    Name(&'a str),
}

impl<'a> SpecArg<'a> {
    /// Classify `text`; `what` ("uid", "gid") names it in a range error.
    pub(crate) fn parse(text: &'a str, what: &str) -> Result<SpecArg<'a>> {
        if text.is_empty() {
            return Ok(SpecArg::Absent);
        }
        let (negative, digits) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(SpecArg::Name(text));
        }
        let value = digits
            .parse::<u64>()
            .ok()
            .filter(|v| *v <= u64::from(MAX_ID));
        match value {
            Some(0) => Ok(SpecArg::Id(0)),
            Some(v) if !negative => Ok(SpecArg::Id(v as u32)),
            _ => Err(Error::spec_range(what, text)),
        }
    }
}

/// An id field of a file line: ASCII digits, at most 4294967294.
pub(crate) fn parse_file_id(field: &str) -> Option<u32> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse::<u32>().ok().filter(|id| *id != u32::MAX)
}

/// An unsigned 32-bit count or start of a range: ASCII digits only.
pub(crate) fn parse_u32(field: &str) -> Option<u32> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse::<u32>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn arg(text: &str) -> std::result::Result<SpecArg<'_>, ErrorKind> {
        SpecArg::parse(text, "uid").map_err(|e| e.kind())
    }

    #[test]
    fn spec_parts_follow_the_numeric_rule() {
        let table: &[(&str, std::result::Result<SpecArg<'_>, ErrorKind>)] = &[
            ("", Ok(SpecArg::Absent)),
            ("0", Ok(SpecArg::Id(0))),
            ("-0", Ok(SpecArg::Id(0))),
            ("+7", Ok(SpecArg::Id(7))),
            ("0042", Ok(SpecArg::Id(42))),
            ("2147483647", Ok(SpecArg::Id(MAX_ID))),
            ("2147483648", Err(ErrorKind::Range)),
            ("4294967295", Err(ErrorKind::Range)),
            ("9223372036854775807", Err(ErrorKind::Range)),
            ("9223372036854775808", Err(ErrorKind::Range)),
            ("99999999999999999999999999", Err(ErrorKind::Range)),
            ("-1", Err(ErrorKind::Range)),
            ("-42", Err(ErrorKind::Range)),
            ("root", Ok(SpecArg::Name("root"))),
            ("-", Ok(SpecArg::Name("-"))),
            ("+", Ok(SpecArg::Name("+"))),
            ("1a", Ok(SpecArg::Name("1a"))),
            (" 1", Ok(SpecArg::Name(" 1"))),
            ("--1", Ok(SpecArg::Name("--1"))),
            ("١٢", Ok(SpecArg::Name("١٢"))),
        ];
        for (text, want) in table {
            assert_eq!(&arg(text), want, "{text:?}");
        }
    }

    #[test]
    fn range_errors_name_the_value() {
        let err = SpecArg::parse("-5", "gid").unwrap_err();
        assert_eq!(err.value(), Some("-5"));
        assert!(err.to_string().contains("0-2147483647"), "{err}");
    }

    #[test]
    fn file_ids_are_plain_digits_below_uid_t_minus_one() {
        assert_eq!(parse_file_id("0"), Some(0));
        assert_eq!(parse_file_id("2147483648"), Some(2_147_483_648));
        assert_eq!(parse_file_id("4294967294"), Some(4_294_967_294));
        for bad in [
            "",
            "4294967295",
            "4294967296",
            "-1",
            "+1",
            " 1",
            "1 ",
            "x",
            "0x10",
        ] {
            assert_eq!(parse_file_id(bad), None, "{bad:?}");
        }
    }
}
