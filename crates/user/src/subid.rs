//! `/etc/subuid` and `/etc/subgid`: [`SubIdRange`] entries.

use crate::id::parse_u32;
use crate::parse::{Sealed, Syntax};
use crate::table::Table;

/// One line of a subuid or subgid file, `owner:start:count`: `count` ids from
/// `start` belong to `owner`; see
/// [subuid(5)](https://man7.org/linux/man-pages/man5/subuid.5.html).
///
/// Exactly three fields: the owner (a user name or a decimal uid, not empty), then
/// `start` and `count` in decimal, with `count >= 1` and `start + count <= 2^32`.
/// Anything else (such as `root::5000`) is malformed: shadow treats such a file as
/// corrupt, this crate skips the line (or fails in strict mode).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubIdRange {
    /// A user name or a decimal uid, as written in the file.
    pub owner: String,
    /// First subordinate id.
    pub start: u32,
    /// Number of ids (at least 1).
    pub count: u32,
}

impl SubIdRange {
    /// A range (not checked: [`IdMap::new`](crate::IdMap::new) checks what it is given).
    pub fn new(owner: impl Into<String>, start: u32, count: u32) -> SubIdRange {
        SubIdRange {
            owner: owner.into(),
            start,
            count,
        }
    }

    /// Whether this range belongs to the user `name` or to `uid` (written in decimal).
    pub fn is_owned_by(&self, name: &str, uid: Option<u32>) -> bool {
        self.owner == name || uid.is_some_and(|uid| self.owner == uid.to_string())
    }
}

impl Sealed for SubIdRange {
    const SYNTAX: Syntax = Syntax {
        comments: true,
        nis: false,
    };

    fn parse_line(line: &str) -> Result<SubIdRange, &'static str> {
        let fields: Vec<&str> = line.split(':').collect();
        let [owner, start, count] = fields[..] else {
            return Err("not three ':'-separated fields (owner:start:count)");
        };
        if owner.is_empty() {
            return Err("the owner is empty");
        }
        let start = parse_u32(start).ok_or("start is not a decimal number below 2^32")?;
        let count = parse_u32(count).ok_or("count is not a decimal number below 2^32")?;
        if count == 0 {
            return Err("count is 0");
        }
        if u64::from(start) + u64::from(count) > 1 << 32 {
            return Err("start + count is past the 32-bit id space");
        }
        Ok(SubIdRange {
            owner: owner.to_owned(),
            start,
            count,
        })
    }
}

impl Table<SubIdRange> {
    /// The ranges of the user `name` (and of `uid`, written in decimal, if given), in
    /// file order.
    pub fn ranges_for(&self, name: &str, uid: Option<u32>) -> Vec<&SubIdRange> {
        self.iter().filter(|r| r.is_owned_by(name, uid)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_subid;

    #[test]
    fn a_line_is_owner_start_count() {
        let r = SubIdRange::parse_line("alice:100000:65536").unwrap();
        assert_eq!(r, SubIdRange::new("alice", 100_000, 65_536));
        let r = SubIdRange::parse_line("1000:4294967295:1").unwrap();
        assert_eq!((r.start, r.count), (u32::MAX, 1));
    }

    #[test]
    fn malformed_ranges_are_refused() {
        let bad = [
            "root::5000",
            "root:5000:",
            ":1:1",
            "root:1",
            "root:1:1:1",
            "root:1:0",
            "root:-1:10",
            "root:4294967295:2",
            "root:4294967296:1",
            "root: 1:1",
        ];
        for line in bad {
            assert!(SubIdRange::parse_line(line).is_err(), "{line:?}");
        }
    }

    #[test]
    fn ranges_match_by_name_or_decimal_uid() {
        let text = "1000:100000:10000\nbin:190000:10000\nalice:5:1\n";
        let table = parse_subid(text.as_bytes()).unwrap();
        let starts = |name, uid| -> Vec<u32> {
            table
                .ranges_for(name, uid)
                .iter()
                .map(|r| r.start)
                .collect()
        };
        assert_eq!(starts("alice", Some(1000)), [100_000, 5]);
        assert_eq!(starts("alice", None), [5]);
        assert_eq!(starts("bin", Some(2)), [190_000]);
        assert!(starts("root", Some(0)).is_empty());
    }
}
