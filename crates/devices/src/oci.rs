//! Translation of OCI `linux.resources.devices` entries (feature `oci`).
//!
//! The `oci-spec` types are outside this crate's semver promise: a new `oci-spec`
//! release may change this function's signature in a minor release of `devices`.

use oci_spec::runtime::{LinuxDeviceCgroup, LinuxDeviceType};

use crate::access::Access;
use crate::error::{Error, ErrorKind, Result};
use crate::rule::{DeviceType, Rule};

impl Rule {
    /// Converts an OCI device cgroup entry (`linux.resources.devices[i]`).
    ///
    /// The OCI conventions are translated here, once:
    /// - type missing or `a` → [`DeviceType::All`]; `b` → block; `c` and `u`
    ///   (an unbuffered character device, the same thing to the kernel) → character;
    ///   `p` is refused (the devices cgroup has no FIFO rules);
    /// - major or minor missing, or `-1`, → wildcard (`None`); any other negative
    ///   number, or one above `u32::MAX`, is refused rather than guessed at;
    /// - access missing or empty → refused: an OCI rule must name its accesses
    ///   (letters in any order, no repeats).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EmptyAccess`], [`ErrorKind::InvalidAccess`],
    /// [`ErrorKind::InvalidNumber`] or [`ErrorKind::NotForCgroup`]; the error's
    /// [`input`](Error::input) is the entry written as `<type> <major>:<minor> <access>`.
    pub fn from_oci(entry: &LinuxDeviceCgroup) -> Result<Rule> {
        let input = entry.to_string();
        let kind = match entry.typ() {
            None | Some(LinuxDeviceType::A) => DeviceType::All,
            Some(LinuxDeviceType::B) => DeviceType::Block,
            Some(LinuxDeviceType::C | LinuxDeviceType::U) => DeviceType::Char,
            Some(LinuxDeviceType::P) => DeviceType::Fifo,
        };
        let access = match entry.access().as_deref() {
            None | Some("") => {
                let problem = "device access cannot be empty; give one or more of r, w, m";
                return Err(Error::new(ErrorKind::EmptyAccess, &input, problem));
            }
            Some(text) => Access::parse_in(text, &input)?,
        };
        let rule = Rule {
            kind,
            major: oci_number(entry.major(), "major", &input)?,
            minor: oci_number(entry.minor(), "minor", &input)?,
            access,
            allow: entry.allow(),
        };
        rule.validate_for_cgroup()?;
        Ok(rule)
    }
}

/// `None` and `-1` are wildcards; other values must fit a `u32`.
fn oci_number(n: Option<i64>, which: &str, input: &str) -> Result<Option<u32>> {
    match n {
        None | Some(-1) => Ok(None),
        Some(n) => u32::try_from(n).map(Some).map_err(|_| {
            let problem = format!(
                "{which} number {n} is out of range; use 0..={} or -1 for any {which}",
                u32::MAX
            );
            Error::new(ErrorKind::InvalidNumber, input, problem)
        }),
    }
}

#[cfg(test)]
mod tests {
    use oci_spec::runtime::LinuxDeviceCgroupBuilder;

    use super::*;

    fn entry(
        typ: Option<LinuxDeviceType>,
        major: Option<i64>,
        minor: Option<i64>,
        access: Option<&str>,
    ) -> LinuxDeviceCgroup {
        let mut b = LinuxDeviceCgroupBuilder::default().allow(true);
        if let Some(t) = typ {
            b = b.typ(t);
        }
        if let Some(m) = major {
            b = b.major(m);
        }
        if let Some(m) = minor {
            b = b.minor(m);
        }
        if let Some(a) = access {
            b = b.access(a);
        }
        b.build().expect("builder has defaults for every field")
    }

    #[test]
    fn oci_missing_type_and_numbers_mean_every_device() {
        let rule = Rule::from_oci(&entry(None, None, None, Some("rwm"))).unwrap();
        assert_eq!(rule, Rule::every_device(true));
    }

    #[test]
    fn oci_char_rule_keeps_numbers_and_canonical_access() {
        let rule = Rule::from_oci(&entry(
            Some(LinuxDeviceType::C),
            Some(1),
            Some(3),
            Some("mwr"),
        ));
        assert_eq!(rule.unwrap().to_string(), "c 1:3 rwm");
    }

    #[test]
    fn oci_unbuffered_char_type_is_a_char_rule() {
        let rule = Rule::from_oci(&entry(Some(LinuxDeviceType::U), Some(4), None, Some("r")));
        assert_eq!(rule.unwrap().to_string(), "c 4:* r");
    }

    #[test]
    fn oci_minus_one_is_a_wildcard_other_negatives_are_refused() {
        let rule = Rule::from_oci(&entry(
            Some(LinuxDeviceType::B),
            Some(8),
            Some(-1),
            Some("m"),
        ));
        assert_eq!(rule.unwrap().to_string(), "b 8:* m");
        let err = Rule::from_oci(&entry(Some(LinuxDeviceType::B), Some(-2), None, Some("m")));
        let err = err.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidNumber);
        assert!(err.to_string().contains("major number -2"), "{err}");
    }

    #[test]
    fn oci_number_above_u32_is_refused() {
        let big = Some(i64::from(u32::MAX) + 1);
        let err = Rule::from_oci(&entry(Some(LinuxDeviceType::C), Some(1), big, Some("r")));
        assert_eq!(err.unwrap_err().kind(), ErrorKind::InvalidNumber);
    }

    #[test]
    fn oci_empty_or_missing_access_is_refused() {
        for access in [None, Some("")] {
            let err = Rule::from_oci(&entry(Some(LinuxDeviceType::C), Some(1), Some(3), access));
            let err = err.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::EmptyAccess);
            assert!(
                err.to_string().contains("device access cannot be empty"),
                "{err}"
            );
        }
    }

    #[test]
    fn oci_fifo_rule_is_refused_for_the_cgroup() {
        let err = Rule::from_oci(&entry(Some(LinuxDeviceType::P), None, None, Some("rwm")));
        assert_eq!(err.unwrap_err().kind(), ErrorKind::NotForCgroup);
    }

    #[test]
    fn oci_deny_entry_stays_a_deny_rule() {
        let mut e = entry(Some(LinuxDeviceType::A), None, None, Some("rwm"));
        e.set_allow(false);
        assert_eq!(Rule::from_oci(&e).unwrap(), Rule::every_device(false));
    }
}
