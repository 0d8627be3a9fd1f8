//! Serialization helpers for the Go reference's JSON shapes.

use cgroups_core::Limit;
use serde::Serializer;
use serde::ser::{SerializeMap, SerializeStruct};

use crate::model::{HugetlbStats, MiscStats};

/// An optional limit as a number: `max` is `u64::MAX` (memory, hugetlb).
pub(crate) fn opt_limit_u64_max<S: Serializer>(v: &Option<Limit>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(Limit::Value(n)) => s.serialize_u64(*n),
        Some(Limit::Max) => s.serialize_u64(u64::MAX),
        None => s.serialize_none(),
    }
}

/// An optional limit as a number where `max` and "no limit file" are 0 (the
/// Go reference's pids limit).
pub(crate) fn opt_limit_zero_max<S: Serializer>(
    v: &Option<Limit>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(Limit::Value(n)) => s.serialize_u64(*n),
        Some(Limit::Max) | None => s.serialize_u64(0),
    }
}

/// NUMA node columns as a map `node → pages`.
pub(crate) fn node_map<S: Serializer>(nodes: &[(u8, u64)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(nodes.len()))?;
    for (node, pages) in nodes {
        map.serialize_entry(node, pages)?;
    }
    map.end()
}

struct Hugetlb<'a>(&'a HugetlbStats);

impl serde::Serialize for Hugetlb<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = self.0;
        let mut st = s.serialize_struct("HugetlbStats", 3)?;
        st.serialize_field("usage", &h.rsvd_usage.unwrap_or(h.usage))?;
        if let Some(max) = h.max_usage {
            st.serialize_field("max_usage", &max)?;
        }
        if let Some(failcnt) = h.failcnt {
            st.serialize_field("failcnt", &failcnt)?;
        }
        st.end()
    }
}

/// hugetlb entries as a map keyed by page size (`"2MB"`), as in the Go
/// reference: `usage` is the reserved usage where the kernel has it (C11).
pub(crate) fn hugetlb_map<S: Serializer>(v: &[HugetlbStats], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(v.len()))?;
    for h in v {
        map.serialize_entry(&format_args!("{}", h.page_size), &Hugetlb(h))?;
    }
    map.end()
}

struct Misc<'a>(&'a MiscStats);

impl serde::Serialize for Misc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut st = s.serialize_struct("MiscStats", 2)?;
        st.serialize_field("usage", &m.usage)?;
        if let Some(events) = m.events {
            st.serialize_field("events", &events)?;
        }
        st.end()
    }
}

/// misc entries as a map keyed by resource name.
pub(crate) fn misc_map<S: Serializer>(v: &[MiscStats], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(v.len()))?;
    for m in v {
        map.serialize_entry(m.name.as_str(), &Misc(m))?;
    }
    map.end()
}
