//! The `schemata` file as a data type: one line per resource, `RES:id=val;id=val`.
//!
//! The kernel prints a group's `schemata` with the resource names right-aligned to
//! the longest name and the values padded (`    MB:0=  100;1=  100`), and accepts
//! lines in any order with whitespace around names and values. Parsing here trims
//! all of that; printing is canonical (`MB:0=100;1=100`).
//!
//! A line lists only the domains it changes: writing `L3:1=f` changes domain 1 of
//! L3 and leaves every other domain and every other resource as it was. The kernel
//! refuses a write that names the same domain of a resource twice ("Duplicate
//! domain"), so a [`Schemata`] holds at most one line per resource and merges
//! repeated lines domain by domain, the later value winning.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A resctrl resource, as named at the start of a schemata line.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// `L3`: L3 cache allocation (CAT); values are capacity bitmasks in hex.
    L3,
    /// `L3CODE`: L3 code allocation under code/data prioritisation (CDP).
    L3Code,
    /// `L3DATA`: L3 data allocation under CDP.
    L3Data,
    /// `L2`: L2 cache allocation.
    L2,
    /// `L2CODE`: L2 code allocation under L2 CDP.
    L2Code,
    /// `L2DATA`: L2 data allocation under L2 CDP.
    L2Data,
    /// `MB`: memory bandwidth allocation (MBA); percent, or MBps with `mba_MBps`.
    Mb,
    /// `SMBA`: slow memory bandwidth allocation (AMD); values as for `MB`.
    Smba,
    /// Any other resource name the kernel may offer.
    Other(String),
}

impl Resource {
    /// The name as the kernel spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Resource::L3 => "L3",
            Resource::L3Code => "L3CODE",
            Resource::L3Data => "L3DATA",
            Resource::L2 => "L2",
            Resource::L2Code => "L2CODE",
            Resource::L2Data => "L2DATA",
            Resource::Mb => "MB",
            Resource::Smba => "SMBA",
            Resource::Other(name) => name,
        }
    }

    /// Whether values are cache capacity bitmasks (hex).
    pub fn is_cache(&self) -> bool {
        matches!(
            self,
            Resource::L3
                | Resource::L3Code
                | Resource::L3Data
                | Resource::L2
                | Resource::L2Code
                | Resource::L2Data
        )
    }

    /// Whether values are memory bandwidth (decimal: percent or MBps).
    pub fn is_bandwidth(&self) -> bool {
        matches!(self, Resource::Mb | Resource::Smba)
    }
}

impl FromStr for Resource {
    type Err = Error;

    /// Parse a resource name (surrounding whitespace is trimmed). Names are case
    /// sensitive, as in the kernel; unknown names of letters, digits and `_` become
    /// [`Resource::Other`].
    fn from_str(s: &str) -> Result<Resource> {
        let name = s.trim();
        Ok(match name {
            "L3" => Resource::L3,
            "L3CODE" => Resource::L3Code,
            "L3DATA" => Resource::L3Data,
            "L2" => Resource::L2,
            "L2CODE" => Resource::L2Code,
            "L2DATA" => Resource::L2Data,
            "MB" => Resource::Mb,
            "SMBA" => Resource::Smba,
            _ => {
                let plain = |c: char| c.is_ascii_alphanumeric() || c == '_';
                if name.is_empty() || !name.chars().all(plain) {
                    let why = "a resource name is letters, digits and '_'";
                    return Err(Error::invalid_schemata(s, why));
                }
                Resource::Other(name.to_owned())
            }
        })
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One schemata line: a resource and its value per domain id.
///
/// Domain ids are a map, not a dense array: ids can have gaps (offline CPUs,
/// sub-NUMA clustering). Values are kept as text (trimmed), since their meaning
/// depends on the resource and the mount options; [`ResourceSchema::validate`]
/// checks them against the resource's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSchema {
    resource: Resource,
    domains: BTreeMap<u32, String>,
}

impl ResourceSchema {
    /// A line for `resource` with no domains yet.
    pub fn new(resource: Resource) -> ResourceSchema {
        ResourceSchema {
            resource,
            domains: BTreeMap::new(),
        }
    }

    /// Parse one line, `RES:id=val;id=val`, tolerating whitespace around every part.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSchemata`](crate::ErrorKind::InvalidSchemata) when the
    /// `:` is missing, the name is not plain, a domain id is not a decimal `u32`, an id
    /// repeats, or a value is empty or not ASCII letters and digits.
    pub fn parse_line(line: &str) -> Result<ResourceSchema> {
        let Some((name, domains)) = line.split_once(':') else {
            return Err(Error::invalid_schemata(line, "expected RES:id=val;id=val"));
        };
        let resource = name.parse::<Resource>()?;
        let domains = parse_domain_list(domains).map_err(|e| {
            let why = e.to_string();
            Error::invalid_schemata(line, why)
        })?;
        if domains.is_empty() {
            return Err(Error::invalid_schemata(line, "no domain listed"));
        }
        Ok(ResourceSchema { resource, domains })
    }

    /// The resource.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// The value per domain id.
    pub fn domains(&self) -> &BTreeMap<u32, String> {
        &self.domains
    }

    /// The value of one domain.
    pub fn get(&self, domain: u32) -> Option<&str> {
        self.domains.get(&domain).map(String::as_str)
    }

    /// Set the value of one domain, returning the old one.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSchemata`](crate::ErrorKind::InvalidSchemata) if the value
    /// is empty or not ASCII letters and digits (it could not be written as one field).
    pub fn set(&mut self, domain: u32, value: &str) -> Result<Option<String>> {
        let value = check_value(value)?;
        Ok(self.domains.insert(domain, value.to_owned()))
    }

    /// Check every value against the kind of the resource: hex bitmasks (an optional
    /// `0x` prefix allowed) for caches, decimal numbers for memory bandwidth. Other
    /// resources only need plain values. Bit layout and ranges are for the kernel to
    /// judge (it explains refusals in `info/last_cmd_status`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSchemata`](crate::ErrorKind::InvalidSchemata) naming the
    /// line and the value.
    pub fn validate(&self) -> Result<()> {
        for (id, value) in &self.domains {
            let ok = if self.resource.is_cache() {
                let hex = value.strip_prefix("0x").unwrap_or(value);
                !hex.is_empty() && hex.len() <= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit())
            } else if self.resource.is_bandwidth() {
                value.len() <= 20 && value.bytes().all(|b| b.is_ascii_digit())
            } else {
                true
            };
            if !ok {
                let kind = if self.resource.is_cache() {
                    "a hex bitmask"
                } else {
                    "a number"
                };
                let why = format!("domain {id}: {value:?} is not {kind}");
                return Err(Error::invalid_schemata(&self.to_string(), why));
            }
        }
        Ok(())
    }

    /// Merge `other`'s domains into this line (same resource), its values winning.
    fn merge(&mut self, other: ResourceSchema) {
        self.domains.extend(other.domains);
    }
}

impl FromStr for ResourceSchema {
    type Err = Error;

    fn from_str(s: &str) -> Result<ResourceSchema> {
        ResourceSchema::parse_line(s)
    }
}

impl fmt::Display for ResourceSchema {
    /// `RES:id=val;id=val`, without padding and without a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.resource)?;
        for (i, (id, value)) in self.domains.iter().enumerate() {
            let sep = if i == 0 { "" } else { ";" };
            write!(f, "{sep}{id}={value}")?;
        }
        Ok(())
    }
}

/// Parse a domain list, `id=val;id=val`, as found after the `:` of a schemata line
/// and alone in `info/<RES>/bit_usage`. Whitespace around parts is trimmed.
///
/// # Errors
///
/// [`ErrorKind::InvalidSchemata`](crate::ErrorKind::InvalidSchemata) for an empty
/// part, a missing `=`, an id that is not a decimal `u32`, a repeated id, or a value
/// that is empty or not ASCII letters and digits.
pub fn parse_domain_list(text: &str) -> Result<BTreeMap<u32, String>> {
    let mut domains = BTreeMap::new();
    let text = text.trim();
    if text.is_empty() {
        return Ok(domains);
    }
    for part in text.split(';') {
        let Some((id, value)) = part.split_once('=') else {
            return Err(Error::invalid_schemata(
                text,
                format!("{part:?} is not id=value"),
            ));
        };
        let id = id.trim();
        let Ok(id) = id.parse::<u32>() else {
            let why = format!("domain id {id:?} is not a number");
            return Err(Error::invalid_schemata(text, why));
        };
        let value = check_value(value.trim()).map_err(|_| {
            let why = format!("domain {id}: value {value:?} is not plain letters and digits");
            Error::invalid_schemata(text, why)
        })?;
        if domains.insert(id, value.to_owned()).is_some() {
            let why = format!("domain {id} is listed twice (the kernel refuses that)");
            return Err(Error::invalid_schemata(text, why));
        }
    }
    Ok(domains)
}

fn check_value(value: &str) -> Result<&str> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let why = "a value is one or more ASCII letters and digits";
        return Err(Error::invalid_schemata(value, why));
    }
    Ok(value)
}

/// The content of a `schemata` file: at most one line per resource, in order.
///
/// ```
/// use intelrdt::{Resource, Schemata};
///
/// // As the kernel prints it: names right-aligned, values padded.
/// let mut s: Schemata = "    L3:0=fffff;1=fffff\n    MB:0=  100;1=  100\n".parse()?;
/// assert_eq!(s.get(&Resource::Mb).and_then(|l| l.get(1)), Some("100"));
///
/// // Change one domain of MB; L3 is kept.
/// s.update("MB:1=50".parse()?);
/// assert_eq!(s.to_string(), "L3:0=fffff;1=fffff\nMB:0=100;1=50\n");
/// # Ok::<(), intelrdt::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schemata {
    lines: Vec<ResourceSchema>,
}

impl Schemata {
    /// An empty schemata (writing it changes nothing).
    pub fn new() -> Schemata {
        Schemata::default()
    }

    /// Parse the text of a `schemata` file (or a list of lines from a config).
    ///
    /// Blank lines are skipped; each other line is parsed by
    /// [`ResourceSchema::parse_line`]. A resource that appears on several lines is
    /// merged into its first line, later values winning per domain.
    ///
    /// # Errors
    ///
    /// As [`ResourceSchema::parse_line`].
    pub fn parse(text: &str) -> Result<Schemata> {
        let mut schemata = Schemata::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            schemata.update(ResourceSchema::parse_line(line)?);
        }
        Ok(schemata)
    }

    /// The line of `resource`.
    pub fn get(&self, resource: &Resource) -> Option<&ResourceSchema> {
        self.lines.iter().find(|l| &l.resource == resource)
    }

    /// Replace the whole line of its resource (in place), or append it. Other
    /// resources are kept.
    pub fn set(&mut self, line: ResourceSchema) {
        match self.lines.iter_mut().find(|l| l.resource == line.resource) {
            Some(old) => *old = line,
            None => self.lines.push(line),
        }
    }

    /// Merge `line` into the line of its resource, domain by domain (`line`'s values
    /// win, other domains are kept), or append it. Other resources are kept.
    pub fn update(&mut self, line: ResourceSchema) {
        match self.lines.iter_mut().find(|l| l.resource == line.resource) {
            Some(old) => old.merge(line),
            None => self.lines.push(line),
        }
    }

    /// Remove the line of `resource`.
    pub fn remove(&mut self, resource: &Resource) -> Option<ResourceSchema> {
        let at = self.lines.iter().position(|l| &l.resource == resource)?;
        Some(self.lines.remove(at))
    }

    /// The lines, in order.
    pub fn lines(&self) -> &[ResourceSchema] {
        &self.lines
    }

    /// Whether there is no line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// [`ResourceSchema::validate`] every line.
    ///
    /// # Errors
    ///
    /// The first invalid line.
    pub fn validate(&self) -> Result<()> {
        self.lines.iter().try_for_each(ResourceSchema::validate)
    }
}

impl FromStr for Schemata {
    type Err = Error;

    fn from_str(s: &str) -> Result<Schemata> {
        Schemata::parse(s)
    }
}

impl fmt::Display for Schemata {
    /// Every line in canonical form followed by `\n` (what is written to the kernel).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.lines.iter().try_for_each(|line| writeln!(f, "{line}"))
    }
}

#[cfg(test)]
#[path = "schemata_tests.rs"]
mod tests;
