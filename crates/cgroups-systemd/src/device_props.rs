//! Device rules as `DevicePolicy` and `DeviceAllow` properties (C27, C28).
//!
//! The properties always start with an empty `DeviceAllow` (which clears what the
//! unit had) followed by `DevicePolicy`: sent the other way round, systemd marks the
//! unit as needing a daemon reload and, on the next reload, re-applies its own view
//! (C27).

use devices::{DeviceType, Emulator, Rule};

use crate::error::{Error, ErrorKind, Result};
use crate::property::{Property, Value};
use crate::version::SystemdVersion;

/// What the device mapping needs to know about the machine.
#[non_exhaustive]
#[derive(Clone, Copy)]
pub struct DeviceContext<'a> {
    /// The systemd version (major-number groups need 240).
    pub version: SystemdVersion,
    /// The text of `/proc/devices` (for systemd before 240).
    pub proc_devices: &'a str,
    /// Whether a `/dev/char/M:m` or `/dev/block/M:m` path exists (systemd before
    /// 240 refuses entries whose path is missing).
    pub path_exists: &'a dyn Fn(&str) -> bool,
}

impl<'a> DeviceContext<'a> {
    /// The context for `version`, with the text of `/proc/devices` and a test of
    /// whether a device node path exists.
    pub fn new(
        version: SystemdVersion,
        proc_devices: &'a str,
        path_exists: &'a dyn Fn(&str) -> bool,
    ) -> Self {
        DeviceContext {
            version,
            proc_devices,
            path_exists,
        }
    }
}

impl std::fmt::Debug for DeviceContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceContext")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// The device properties for `rules` (applied in order to deny-all): an empty
/// `DeviceAllow`, then `DevicePolicy`, then for an allow list the entries.
///
/// - allow everything → `DeviceAllow=[]`, `DevicePolicy=auto`;
/// - any other deny list (allow all but some) cannot be said to systemd → deny
///   everything here (`strict`, no entries; logged): the fs driver writes the real
///   rules afterwards;
/// - allow list → `strict` and one entry per rule (C28): `c 1:3` →
///   `/dev/char/1:3`, `c 136:*` → `char-136` (systemd ≥ 240) or the group of major
///   136 in `/proc/devices` (`char-pts`, matched exactly), `c *:*` → `char-*`; a rule
///   with a wildcard major and a fixed minor cannot be expressed and is skipped.
///
/// # Errors
///
/// [`ErrorKind::InvalidValue`] when the rules are refused by the emulator.
pub fn device_properties(rules: &[Rule], cx: &DeviceContext<'_>) -> Result<Vec<Property>> {
    let emulator = Emulator::from_rules(rules)
        .map_err(|e| Error::new(ErrorKind::InvalidValue, "device rules refused").with_source(e))?;
    let clear = Property::new("DeviceAllow", Value::PairList(Vec::new()));
    if emulator.allows_everything() {
        return Ok(vec![clear, Property::str("DevicePolicy", "auto")]);
    }
    let mut props = vec![clear, Property::str("DevicePolicy", "strict")];
    if !emulator.is_allow_list() {
        log::warn!("device deny lists cannot be expressed as DeviceAllow: denying all in systemd");
        return Ok(props);
    }
    let entries: Vec<(String, String)> = emulator
        .rules()
        .iter()
        .filter_map(|rule| entry(rule, cx))
        .collect();
    props.push(Property::new("DeviceAllow", Value::PairList(entries)));
    Ok(props)
}

fn entry(rule: &Rule, cx: &DeviceContext<'_>) -> Option<(String, String)> {
    let (kind, section) = match rule.kind {
        DeviceType::Char => ("char", "Character devices:"),
        DeviceType::Block => ("block", "Block devices:"),
        _ => {
            log::warn!("device rule {rule} has no DeviceAllow form: skipped");
            return None;
        }
    };
    let perms = rule.access.to_string();
    let target = match (rule.major, rule.minor) {
        (None, None) => format!("{kind}-*"),
        (None, Some(_)) => {
            log::warn!("device rule {rule}: a wildcard major with a fixed minor: skipped");
            return None;
        }
        (Some(major), None) if cx.version.has_major_device_groups() => format!("{kind}-{major}"),
        (Some(major), None) => match device_group(cx.proc_devices, section, major) {
            Some(group) => format!("{kind}-{group}"),
            None => {
                log::warn!("device rule {rule}: major {major} not in /proc/devices: skipped");
                return None;
            }
        },
        (Some(major), Some(minor)) => {
            let path = format!("/dev/{kind}/{major}:{minor}");
            if !cx.version.has_major_device_groups() && !(cx.path_exists)(&path) {
                log::warn!("device rule {rule}: {path} is missing (systemd < 240): skipped");
                return None;
            }
            path
        }
    };
    Some((target, perms))
}

/// The driver name of `major` in a section of `/proc/devices` (exact match).
fn device_group<'a>(proc_devices: &'a str, section: &str, major: u32) -> Option<&'a str> {
    let mut lines = proc_devices
        .lines()
        .skip_while(|l| l.trim() != section)
        .skip(1);
    lines
        .by_ref()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|line| {
            let (number, name) = line.trim().split_once(' ')?;
            (number.parse() == Ok(major)).then_some(name.trim())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROC_DEVICES: &str = "Character devices:\n  1 mem\n  5 /dev/tty\n 10 misc\n\
        136 pts\n195 nvidia-frontend\n\nBlock devices:\n  8 sd\n259 blkext\n";

    fn cx(version: u32, exists: &dyn Fn(&str) -> bool) -> DeviceContext<'_> {
        DeviceContext {
            version: SystemdVersion(version),
            proc_devices: PROC_DEVICES,
            path_exists: exists,
        }
    }

    fn allow(text: &str) -> Rule {
        Rule::parse(text, true).unwrap()
    }

    fn entries(rules: &[Rule], cx: &DeviceContext<'_>) -> Vec<(String, String)> {
        let props = device_properties(rules, cx).unwrap();
        match &props.last().unwrap().value {
            Value::PairList(list) => list.clone(),
            other => panic!("last property is {other:?}"),
        }
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn c27_empty_device_allow_comes_before_the_policy() {
        let rules = [
            Rule::parse("a *:* rwm", false).unwrap(),
            allow("c 1:3 rwm"),
            allow("c 195:* rwm"),
        ];
        let props = device_properties(&rules, &cx(252, &|_| false)).unwrap();
        assert_eq!(
            props,
            [
                Property::new("DeviceAllow", Value::PairList(vec![])),
                Property::str("DevicePolicy", "strict"),
                Property::new(
                    "DeviceAllow",
                    Value::PairList(vec![pair("/dev/char/1:3", "rwm"), pair("char-195", "rwm")])
                ),
            ]
        );
    }

    #[test]
    fn c27_allow_all_is_policy_auto_after_the_empty_list() {
        let props = device_properties(&[allow("a *:* rwm")], &cx(252, &|_| false)).unwrap();
        assert_eq!(
            props,
            [
                Property::new("DeviceAllow", Value::PairList(vec![])),
                Property::str("DevicePolicy", "auto"),
            ]
        );
    }

    #[test]
    fn deny_list_is_sent_as_deny_everything() {
        let rules = [allow("a *:* rwm"), Rule::parse("c 1:3 rwm", false).unwrap()];
        let props = device_properties(&rules, &cx(252, &|_| true)).unwrap();
        assert_eq!(props.len(), 2);
        assert_eq!(props[1], Property::str("DevicePolicy", "strict"));
    }

    #[test]
    fn c28_rules_map_to_paths_and_groups_on_new_systemd() {
        let rules = [
            allow("c 1:3 rwm"),
            allow("b 8:0 r"),
            allow("c 136:* rwm"),
            allow("c *:* m"),
            allow("b *:* m"),
            allow("c *:3 r"),
        ];
        let got = entries(&rules, &cx(252, &|_| false));
        for want in [
            pair("/dev/char/1:3", "rwm"),
            pair("/dev/block/8:0", "r"),
            pair("char-136", "rwm"),
            pair("char-*", "m"),
            pair("block-*", "m"),
        ] {
            assert!(got.contains(&want), "{want:?} missing from {got:?}");
        }
        assert_eq!(got.len(), 5, "c *:3 must be skipped: {got:?}");
    }

    #[test]
    fn c28_old_systemd_uses_proc_devices_names_matched_exactly() {
        let got = entries(
            &[
                allow("c 136:* rwm"),
                allow("c 1:* rwm"),
                allow("c 13:* rwm"),
            ],
            &cx(239, &|_| false),
        );
        assert_eq!(got, [pair("char-mem", "rwm"), pair("char-pts", "rwm")]);
    }

    #[test]
    fn c28_old_systemd_drops_missing_device_paths_new_keeps_them() {
        let rules = [allow("c 1:3 rwm"), allow("c 1:5 rwm")];
        let exists = |p: &str| p == "/dev/char/1:5";
        assert_eq!(
            entries(&rules, &cx(239, &exists)),
            [pair("/dev/char/1:5", "rwm")]
        );
        assert_eq!(entries(&rules, &cx(240, &exists)).len(), 2);
    }

    #[test]
    fn device_group_finds_block_majors_in_their_section() {
        assert_eq!(device_group(PROC_DEVICES, "Block devices:", 8), Some("sd"));
        assert_eq!(device_group(PROC_DEVICES, "Block devices:", 1), None);
        assert_eq!(
            device_group(PROC_DEVICES, "Character devices:", 5),
            Some("/dev/tty")
        );
    }
}
