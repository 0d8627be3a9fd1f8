//! The Intel RDT part of a container config (OCI `linux.intelRdt`), its checks and
//! the schemata it asks for.

use crate::error::{Error, Result};
use crate::features::Features;
use crate::schemata::{Resource, ResourceSchema, Schemata};

/// What a container asks of resctrl (the fields of OCI `linux.intelRdt`).
///
/// Empty strings mean "not set", as in OCI configs.
///
/// ```
/// let mut config = intelrdt::RdtConfig::default();
/// config.l3_cache_schema = Some("L3:0=7f0;1=1f".into());
/// config.mem_bw_schema = Some("MB:0=50;1=50".into());
/// assert_eq!(config.schemata_to_write()?.to_string(), "L3:0=7f0;1=1f\nMB:0=50;1=50\n");
/// # Ok::<(), intelrdt::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RdtConfig {
    /// `closID`: the name of a shared control group to join (created if missing and a
    /// schema is given). `"/"` is the root (default) group. Unset: a group of the
    /// container's own, named after the container id.
    pub clos_id: Option<String>,
    /// `l3CacheSchema`: one or more schemata lines, normally `L3:` (or `L3CODE:` and
    /// `L3DATA:` under CDP).
    pub l3_cache_schema: Option<String>,
    /// `memBwSchema`: one or more `MB:` lines.
    pub mem_bw_schema: Option<String>,
    /// `schemata`: any further lines (`L2:...`, `SMBA:...`, ...), one per entry.
    pub schemata: Vec<String>,
    /// `enableMonitoring`: make a monitoring group named after the container id.
    pub enable_monitoring: bool,
}

/// Which control group a config names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GroupName {
    /// The root (default) group: the resctrl root itself.
    Root,
    /// A directory below the root.
    Named(String),
}

impl RdtConfig {
    fn l3(&self) -> Option<&str> {
        self.l3_cache_schema
            .as_deref()
            .filter(|s| !s.trim().is_empty())
    }

    fn mem_bw(&self) -> Option<&str> {
        self.mem_bw_schema
            .as_deref()
            .filter(|s| !s.trim().is_empty())
    }

    /// The `closID`, when set and not empty.
    pub(crate) fn clos_id(&self) -> Option<&str> {
        self.clos_id.as_deref().filter(|s| !s.is_empty())
    }

    /// Whether any schema is given (a named group without one must already exist).
    pub(crate) fn has_schema(&self) -> bool {
        self.l3().is_some()
            || self.mem_bw().is_some()
            || self.schemata.iter().any(|s| !s.trim().is_empty())
    }

    /// The schemata to write, in one write, for this config.
    ///
    /// Lines are taken from `l3CacheSchema`, then `memBwSchema`, then each entry of
    /// `schemata` (blank ones skipped), and merged per resource: a later line's value
    /// for a domain wins, and each resource is written once. Two decisions, both
    /// because the kernel refuses a write that names a domain of a resource twice
    /// ("Duplicate domain" in `last_cmd_status`), which runc's plain concatenation
    /// produces:
    ///
    /// - **C33**: when `memBwSchema` is set, `MB:` lines inside `l3CacheSchema` are
    ///   dropped whole (the OCI spec text of runtime-spec#1104; runc writes both);
    /// - a resource given again in `schemata` updates the domains it names (so
    ///   `L3:0=80;1=7f` then `L3:0=c0;1=3f` writes `L3:0=c0;1=3f`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSchemata`](crate::ErrorKind::InvalidSchemata) for a line
    /// that does not parse or a value of the wrong kind.
    pub fn schemata_to_write(&self) -> Result<Schemata> {
        let mut out = Schemata::new();
        if let Some(l3) = self.l3() {
            for line in parse_lines(l3)? {
                if self.mem_bw().is_some() && line.resource() == &Resource::Mb {
                    log::debug!("dropping {line} from l3CacheSchema: memBwSchema is set");
                    continue;
                }
                out.update(line);
            }
        }
        if let Some(mem_bw) = self.mem_bw() {
            parse_lines(mem_bw)?
                .into_iter()
                .for_each(|line| out.update(line));
        }
        for entry in self.schemata.iter().filter(|s| !s.trim().is_empty()) {
            parse_lines(entry)?
                .into_iter()
                .for_each(|line| out.update(line));
        }
        out.validate()?;
        Ok(out)
    }

    /// Check the config against the features of this resctrl and name the group.
    ///
    /// - `closID` `"."`, `".."`, or with a `/` (other than `"/"` alone) is refused;
    ///   so is a container id that is not one plain path component;
    /// - `l3CacheSchema` needs CAT, `memBwSchema` needs MBA, and every resource
    ///   written must exist in `info/`.
    pub(crate) fn check(&self, container_id: &str, features: &Features) -> Result<GroupName> {
        check_component(container_id, "container id")?;
        let group = match self.clos_id() {
            Some("/") => GroupName::Root,
            Some(clos_id) => {
                check_component(clos_id, "closID")?;
                GroupName::Named(clos_id.to_owned())
            }
            None => GroupName::Named(container_id.to_owned()),
        };
        if let Some(l3) = self.l3()
            && !features.cat
        {
            let why = "l3CacheSchema is set but this resctrl has no L3 cache allocation (CAT)";
            return Err(Error::invalid_config(l3, why));
        }
        if let Some(mem_bw) = self.mem_bw()
            && !features.mba
        {
            let why = "memBwSchema is set but this resctrl has no memory bandwidth \
                       allocation (MBA)";
            return Err(Error::invalid_config(mem_bw, why));
        }
        for line in self.schemata_to_write()?.lines() {
            if !features.has(line.resource()) {
                let why = format!(
                    "resource {} is not offered by this resctrl (info/ has {:?})",
                    line.resource(),
                    features
                        .resources
                        .iter()
                        .map(Resource::as_str)
                        .collect::<Vec<_>>()
                );
                return Err(Error::invalid_config(&line.to_string(), why));
            }
        }
        Ok(group)
    }
}

fn parse_lines(text: &str) -> Result<Vec<ResourceSchema>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(ResourceSchema::parse_line)
        .collect()
}

/// A group or monitoring-group name must be one plain path component.
fn check_component(name: &str, what: &str) -> Result<()> {
    pathsafe::check_file_name(name).map_err(|_| {
        let why = format!(
            "a {what} must be one path component: not empty, not \".\" or \"..\", without \
             '/' or NUL, at most 255 bytes"
        );
        Error::invalid_config(name, why)
    })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
