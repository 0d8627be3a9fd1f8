//! Monitoring data: `mon_data/mon_<RES>_<id>/<event>` of a group.

use std::fmt;

use pathsafe::Dir;

use crate::error::{Error, Result, from_pathsafe};
use crate::root::read_optional;

/// One reading of a monitoring event file.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// The value: bytes for all three events.
    Value(u64),
    /// The kernel printed `Unavailable`: the counter is not ready or was reassigned
    /// (for example right after the group was made, or with too few counters).
    Unavailable,
    /// The kernel printed `Error`: reading the hardware counter failed.
    Error,
}

impl fmt::Display for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Counter::Value(v) => write!(f, "{v}"),
            Counter::Unavailable => f.write_str("Unavailable"),
            Counter::Error => f.write_str("Error"),
        }
    }
}

/// The monitoring events of one domain (`mon_data/mon_L3_<id>`).
///
/// An event is `None` when its file does not exist (the event is not supported).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonDomain {
    /// The resource monitored, from the directory name (`L3`).
    pub resource: String,
    /// The domain id, from the directory name (`mon_L3_01` is domain 1).
    pub id: u32,
    /// `llc_occupancy`: bytes of last-level cache in use (CMT).
    pub llc_occupancy: Option<Counter>,
    /// `mbm_total_bytes`: total memory bandwidth counter (MBM).
    pub mbm_total_bytes: Option<Counter>,
    /// `mbm_local_bytes`: local-socket memory bandwidth counter (MBM).
    pub mbm_local_bytes: Option<Counter>,
}

/// Read every `mon_<RES>_<id>` directory of `group/mon_data`, sorted by resource
/// and id. A group without `mon_data` has no domains.
pub(crate) fn read_mon_data(group: &Dir) -> Result<Vec<MonDomain>> {
    let mon_data = match group.open_dir("mon_data") {
        Ok(dir) => dir,
        Err(e) if e.kind() == pathsafe::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(from_pathsafe(&e)),
    };
    let mut domains = Vec::new();
    for name in mon_data.sub_dirs().map_err(|e| from_pathsafe(&e))? {
        let Some((resource, id)) = parse_domain_dir(&name) else {
            log::debug!("resctrl: ignoring mon_data/{name}");
            continue;
        };
        let dir = mon_data.open_dir(&name).map_err(|e| from_pathsafe(&e))?;
        domains.push(MonDomain {
            resource: resource.to_owned(),
            id,
            llc_occupancy: read_counter(&dir, "llc_occupancy")?,
            mbm_total_bytes: read_counter(&dir, "mbm_total_bytes")?,
            mbm_local_bytes: read_counter(&dir, "mbm_local_bytes")?,
        });
    }
    domains.sort_by(|a, b| (&a.resource, a.id).cmp(&(&b.resource, b.id)));
    Ok(domains)
}

/// `mon_L3_01` is resource `L3`, domain 1.
fn parse_domain_dir(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix("mon_")?;
    let (resource, id) = rest.rsplit_once('_')?;
    if resource.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((resource, id.parse().ok()?))
}

fn read_counter(dir: &Dir, event: &str) -> Result<Option<Counter>> {
    let Some(text) = read_optional(dir, event)? else {
        return Ok(None);
    };
    parse_counter(&text)
        .map(Some)
        .ok_or_else(|| Error::parse(&dir.path().join(event), &text, "expected a number"))
}

fn parse_counter(text: &str) -> Option<Counter> {
    match text.trim() {
        "Unavailable" => Some(Counter::Unavailable),
        "Error" => Some(Counter::Error),
        n => n.parse().ok().map(Counter::Value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_directory_names_give_resource_and_id() {
        assert_eq!(parse_domain_dir("mon_L3_00"), Some(("L3", 0)));
        assert_eq!(parse_domain_dir("mon_L3_01"), Some(("L3", 1)));
        assert_eq!(parse_domain_dir("mon_L3_17"), Some(("L3", 17)));
        assert_eq!(parse_domain_dir("mon_SOME_RES_3"), Some(("SOME_RES", 3)));
        for bad in [
            "mon_L3_",
            "mon__1",
            "L3_00",
            "mon_L3_x",
            "mon_L3",
            "mon_L3_99999999999",
        ] {
            assert_eq!(parse_domain_dir(bad), None, "{bad}");
        }
    }

    #[test]
    fn counters_parse_numbers_and_kernel_words() {
        assert_eq!(parse_counter("9123911\n"), Some(Counter::Value(9_123_911)));
        assert_eq!(parse_counter("Unavailable\n"), Some(Counter::Unavailable));
        assert_eq!(parse_counter("Error\n"), Some(Counter::Error));
        assert_eq!(
            parse_counter("18446744073709551615"),
            Some(Counter::Value(u64::MAX))
        );
        assert_eq!(parse_counter(""), None);
        assert_eq!(parse_counter("-1"), None);
        assert_eq!(Counter::Unavailable.to_string(), "Unavailable");
    }
}
