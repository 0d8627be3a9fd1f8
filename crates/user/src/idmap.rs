//! Id maps: [`IdRange`], [`IdMap`] and [`IdentityMapping`].

use std::fmt;

use crate::id::parse_u32;
use crate::parse::{Sealed, Syntax};
use crate::table::Table;
use crate::{Error, Result, SubIdRange};

/// One line of `/proc/<pid>/uid_map` or `gid_map`: `id parent-id count`, separated
/// by any whitespace, see
/// [user_namespaces(7)](https://man7.org/linux/man-pages/man7/user_namespaces.7.html).
///
/// The `count` ids from `container_id` inside the namespace are the `count` ids from
/// `host_id` in the parent namespace. As the kernel requires, `count` is at least 1
/// and both sides stay inside the 32-bit id space (the initial namespace prints
/// `0 0 4294967295`); [`IdMap::new`] also refuses overlapping ranges. No comments:
/// any other line is malformed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdRange {
    /// First id inside the namespace (the container).
    pub container_id: u32,
    /// First id in the parent namespace (the host).
    pub host_id: u32,
    /// Number of ids.
    pub count: u32,
}

impl IdRange {
    /// A range (checked by [`IdMap::new`]).
    pub fn new(container_id: u32, host_id: u32, count: u32) -> IdRange {
        IdRange {
            container_id,
            host_id,
            count,
        }
    }

    fn end(start: u32, count: u32) -> u64 {
        u64::from(start) + u64::from(count)
    }

    fn inside(start: u32, count: u32, id: u32) -> bool {
        id >= start && u64::from(id) < IdRange::end(start, count)
    }
}

impl fmt::Display for IdRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.container_id, self.host_id, self.count)
    }
}

impl Sealed for IdRange {
    const SYNTAX: Syntax = Syntax {
        comments: false,
        nis: false,
    };

    fn parse_line(line: &str) -> std::result::Result<IdRange, &'static str> {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let [id, parent, count] = fields[..] else {
            return Err("not three fields (id parent-id count)");
        };
        let number = "a field is not a decimal number below 2^32";
        let range = IdRange {
            container_id: parse_u32(id).ok_or(number)?,
            host_id: parse_u32(parent).ok_or(number)?,
            count: parse_u32(count).ok_or(number)?,
        };
        check_range(&range)?;
        Ok(range)
    }
}

fn check_range(r: &IdRange) -> std::result::Result<(), &'static str> {
    if r.count == 0 {
        return Err("count is 0");
    }
    let space = 1u64 << 32;
    if IdRange::end(r.container_id, r.count) > space || IdRange::end(r.host_id, r.count) > space {
        return Err("the range runs past the 32-bit id space");
    }
    Ok(())
}

/// The ranges of one id map (uids or gids), checked as the kernel checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMap {
    ranges: Vec<IdRange>,
}

impl IdMap {
    /// Check and wrap `ranges`. An empty map maps nothing.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidMap`](crate::ErrorKind::InvalidMap) for a range with count
    /// 0, one past the 32-bit id space, or two ranges that overlap inside or outside.
    pub fn new(ranges: Vec<IdRange>) -> Result<IdMap> {
        for (i, a) in ranges.iter().enumerate() {
            check_range(a).map_err(|why| Error::invalid_map(format!("[{a}]"), why))?;
            for b in &ranges[..i] {
                let overlap = |x: u32, y: u32| {
                    IdRange::inside(x, a.count, y) || IdRange::inside(y, b.count, x)
                };
                if overlap(a.container_id, b.container_id) || overlap(a.host_id, b.host_id) {
                    let value = format!("[{b}], [{a}]");
                    return Err(Error::invalid_map(value, "two ranges overlap"));
                }
            }
        }
        Ok(IdMap { ranges })
    }

    /// The map of a parsed `uid_map` or `gid_map` file.
    ///
    /// # Errors
    ///
    /// As [`IdMap::new`].
    pub fn from_table(table: &Table<IdRange>) -> Result<IdMap> {
        IdMap::new(table.entries().to_vec())
    }

    /// Lay subordinate ranges end to end inside the container, from id 0: the first
    /// range maps container ids `0..count`, the next starts where it ended.
    ///
    /// # Errors
    ///
    /// As [`IdMap::new`] (overlapping host ranges, more than 2^32 ids in total).
    pub fn from_sub_ids<'a>(ranges: impl IntoIterator<Item = &'a SubIdRange>) -> Result<IdMap> {
        let mut next: u64 = 0;
        let mut out = Vec::new();
        for r in ranges {
            let Ok(container_id) = u32::try_from(next) else {
                let why = "the ranges hold more than 2^32 ids";
                return Err(Error::invalid_map(format!("{}:{}", r.start, r.count), why));
            };
            out.push(IdRange::new(container_id, r.start, r.count));
            next += u64::from(r.count);
        }
        IdMap::new(out)
    }

    /// The ranges, in order.
    pub fn ranges(&self) -> &[IdRange] {
        &self.ranges
    }

    /// Whether the map has no ranges (and so maps nothing).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The host id of container id `id`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unmapped`](crate::ErrorKind::Unmapped) if no range covers it.
    pub fn to_host(&self, id: u32) -> Result<u32> {
        self.ranges
            .iter()
            .find(|r| IdRange::inside(r.container_id, r.count, id))
            .map(|r| r.host_id + (id - r.container_id))
            .ok_or_else(|| Error::unmapped("id map", "container", id))
    }

    /// The container id of host id `id`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unmapped`](crate::ErrorKind::Unmapped) if no range covers it.
    pub fn to_container(&self, id: u32) -> Result<u32> {
        self.ranges
            .iter()
            .find(|r| IdRange::inside(r.host_id, r.count, id))
            .map(|r| r.container_id + (id - r.host_id))
            .ok_or_else(|| Error::unmapped("id map", "host", id))
    }
}

/// The uid map and gid map of a user namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityMapping {
    uids: IdMap,
    gids: IdMap,
}

impl IdentityMapping {
    /// A pair of maps.
    pub fn new(uids: IdMap, gids: IdMap) -> IdentityMapping {
        IdentityMapping { uids, gids }
    }

    /// The maps made from the subordinate ranges of user `name` (and of `uid` in
    /// decimal, if given) in `subuid` and `subgid`, as [`IdMap::from_sub_ids`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) if either file has no range
    /// for the user; as [`IdMap::new`].
    pub fn from_sub_ids(
        name: &str,
        uid: Option<u32>,
        subuid: &Table<SubIdRange>,
        subgid: &Table<SubIdRange>,
    ) -> Result<IdentityMapping> {
        let map = |table: &Table<SubIdRange>| {
            let ranges = table.ranges_for(name, uid);
            if ranges.is_empty() {
                return Err(Error::no_sub_ids(name, table.source()));
            }
            IdMap::from_sub_ids(ranges)
        };
        Ok(IdentityMapping {
            uids: map(subuid)?,
            gids: map(subgid)?,
        })
    }

    /// The uid map.
    pub fn uids(&self) -> &IdMap {
        &self.uids
    }

    /// The gid map.
    pub fn gids(&self) -> &IdMap {
        &self.gids
    }

    /// Map a container `(uid, gid)` to the host.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unmapped`](crate::ErrorKind::Unmapped) naming the unmapped id.
    pub fn to_host(&self, uid: u32, gid: u32) -> Result<(u32, u32)> {
        let uid = self
            .uids
            .to_host(uid)
            .map_err(|_| Error::unmapped("uid map", "container", uid))?;
        let gid = self
            .gids
            .to_host(gid)
            .map_err(|_| Error::unmapped("gid map", "container", gid))?;
        Ok((uid, gid))
    }

    /// Map a host `(uid, gid)` into the container.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unmapped`](crate::ErrorKind::Unmapped) naming the unmapped id.
    pub fn to_container(&self, uid: u32, gid: u32) -> Result<(u32, u32)> {
        let uid = self
            .uids
            .to_container(uid)
            .map_err(|_| Error::unmapped("uid map", "host", uid))?;
        let gid = self
            .gids
            .to_container(gid)
            .map_err(|_| Error::unmapped("gid map", "host", gid))?;
        Ok((uid, gid))
    }
}

#[cfg(test)]
#[path = "idmap_tests.rs"]
mod tests;
