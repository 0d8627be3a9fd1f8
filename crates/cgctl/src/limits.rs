//! Turning the limit flags (and an OCI resources file) into [`Resources`].

use cgroups_core::{CpuQuota, Limit, Resources};

use crate::cli::Limits;
use crate::size::{Size, parse_count_or_max, parse_cpus, parse_size};
use crate::{Failure, Result};

/// The CFS period used for `--cpus`, in µs (the kernel default).
const CPU_PERIOD_US: u64 = 100_000;

fn size_flag(flag: &str, text: &Option<String>) -> Result<Option<Limit>> {
    let Some(text) = text else { return Ok(None) };
    match parse_size(text) {
        Ok(Size::Max) => Ok(Some(Limit::Max)),
        Ok(Size::Bytes(b)) => Ok(Some(Limit::Value(b))),
        Err(e) => Err(Failure::usage(format!("--{flag}: {e}"))),
    }
}

/// Builds the resources from the flags, starting from `--resources FILE` if given.
pub fn resources_from(limits: &Limits) -> Result<Resources> {
    let mut r = match &limits.resources {
        Some(path) => read_oci_file(path)?,
        None => Resources::default(),
    };

    if let Some(v) = size_flag("memory", &limits.memory)? {
        r.memory.limit_bytes = Some(v);
    }
    if let Some(v) = size_flag("memory-swap", &limits.memory_swap)? {
        r.memory.memory_and_swap_bytes = Some(v);
    }
    if let Some(v) = size_flag("memory-reservation", &limits.memory_reservation)? {
        r.memory.reservation_bytes = Some(v);
    }
    if let Some(v) = size_flag("memory-high", &limits.memory_high)? {
        r.memory.high_bytes = Some(v);
    }
    if let Some(cpus) = &limits.cpus {
        let quota =
            parse_cpus(cpus, CPU_PERIOD_US).map_err(|e| Failure::usage(format!("--cpus: {e}")))?;
        r.cpu.quota = Some(CpuQuota::Micros(quota));
        r.cpu.period_us = Some(CPU_PERIOD_US);
    }
    if let Some(w) = limits.cpu_weight {
        r.cpu.weight = Some(w);
    }
    if let Some(s) = limits.cpu_shares {
        r.cpu.shares = Some(s);
    }
    if let Some(c) = &limits.cpuset_cpus {
        r.cpuset.cpus = Some(c.clone());
    }
    if let Some(m) = &limits.cpuset_mems {
        r.cpuset.mems = Some(m.clone());
    }
    if let Some(p) = &limits.pids {
        let n = parse_count_or_max(p).map_err(|e| Failure::usage(format!("--pids: {e}")))?;
        r.pids_max = Some(n.map_or(Limit::Max, Limit::Value));
    }
    if let Some(w) = limits.io_weight {
        r.block_io.weight = Some(w);
    }
    if let Some(rules) = device_rules(limits) {
        r.devices = Some(rules);
    }
    Ok(r)
}

/// The runtime default devices of `--default-devices` (all `rwm`): null, zero,
/// full, random, urandom, tty, console, ptmx, and the pts terminals (major 136).
pub const DEFAULT_DEVICES: [&str; 9] = [
    "c 1:3 rwm",
    "c 1:5 rwm",
    "c 1:7 rwm",
    "c 1:8 rwm",
    "c 1:9 rwm",
    "c 5:0 rwm",
    "c 5:1 rwm",
    "c 5:2 rwm",
    "c 136:* rwm",
];

/// The device rules of the flags, or `None` when no device flag was given (devices
/// are then left as they are, or as `--resources` says).
///
/// The rules start with a reset: allow everything when the first device flag is a
/// `--device-deny` (so denies alone mean "everything except these"), else deny
/// everything (allows alone mean "only these"; `--default-devices` also starts
/// from nothing). Then the default set if asked, then the flags in command-line
/// order. The flags replace any device rules of `--resources`.
fn device_rules(limits: &Limits) -> Option<Vec<devices::Rule>> {
    let mut flags: Vec<&crate::cli::DeviceFlag> = limits
        .device_allow
        .iter()
        .chain(&limits.device_deny)
        .collect();
    if flags.is_empty() && !limits.default_devices {
        return None;
    }
    flags.sort_by_key(|f| f.seq);
    let allow_first = !limits.default_devices && flags.first().is_some_and(|f| !f.rule.allow);
    let mut rules = vec![devices::Rule::every_device(allow_first)];
    if limits.default_devices {
        let defaults = DEFAULT_DEVICES.iter().filter_map(|t| t.parse().ok());
        rules.extend(defaults);
    }
    rules.extend(flags.into_iter().map(|f| f.rule.clone()));
    Some(rules)
}

/// Reads an OCI `linux.resources` object from a JSON file.
fn read_oci_file(path: &std::path::Path) -> Result<Resources> {
    // The file is named by the person running cgctl: it is configuration, not a
    // kernel interface beneath a hierarchy root, so pathsafe's policies do not apply.
    #[allow(clippy::disallowed_methods)]
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "--resources {}: cannot read the file: {e}",
            path.display()
        ))
    })?;
    let oci: oci_spec::runtime::LinuxResources = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "--resources {}: not an OCI linux.resources JSON object: {e}",
            path.display()
        ))
    })?;
    Resources::try_from(&oci)
        .map_err(|e| Failure::from_core(e).context(format!("--resources {}", path.display())))
}

#[cfg(test)]
mod device_flag_tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn rules(args: &[&str]) -> Option<Vec<String>> {
        let mut argv = vec!["cgctl", "update", "/x"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).unwrap();
        let Command::Update(update) = cli.command else {
            panic!("not update");
        };
        let verb = |r: &devices::Rule| if r.allow { "allow" } else { "deny" };
        resources_from(&update.limits)
            .unwrap()
            .devices
            .map(|rules| rules.iter().map(|r| format!("{} {r}", verb(r))).collect())
    }

    #[test]
    fn without_device_flags_devices_are_untouched() {
        assert_eq!(rules(&["--pids", "5"]), None);
    }

    #[test]
    fn deny_alone_means_everything_except_these() {
        assert_eq!(
            rules(&["--device-deny", "c 1:3 rwm"]).unwrap(),
            ["allow a *:* rwm", "deny c 1:3 rwm"]
        );
    }

    #[test]
    fn allow_alone_means_only_these() {
        assert_eq!(
            rules(&["--device-allow", "c 1:5 rw", "--device-allow", "b 8:* r"]).unwrap(),
            ["deny a *:* rwm", "allow c 1:5 rw", "allow b 8:* r"]
        );
    }

    #[test]
    fn mixed_flags_keep_the_command_line_order() {
        let got = rules(&[
            "--device-deny",
            "c 1:3 rwm",
            "--device-allow",
            "c 1:3 r",
            "--device-deny",
            "c 1:7 w",
        ]);
        assert_eq!(
            got.unwrap(),
            [
                "allow a *:* rwm",
                "deny c 1:3 rwm",
                "allow c 1:3 r",
                "deny c 1:7 w"
            ]
        );
    }

    #[test]
    fn default_devices_start_from_nothing_and_precede_the_flags() {
        let got = rules(&["--device-deny", "c 1:3 rwm", "--default-devices"]).unwrap();
        assert_eq!(got.len(), 11);
        assert_eq!(got[0], "deny a *:* rwm");
        assert_eq!(got[1], "allow c 1:3 rwm");
        assert_eq!(got[7], "allow c 5:1 rwm");
        assert_eq!(got[9], "allow c 136:* rwm");
        assert_eq!(got[10], "deny c 1:3 rwm");
        let target = devices::Emulator::from_rules(
            &got.iter()
                .map(|l| {
                    let (verb, rule) = l.split_once(' ').unwrap();
                    devices::Rule::parse(rule, verb == "allow").unwrap()
                })
                .collect::<Vec<_>>(),
        )
        .unwrap();
        use devices::{Access, DeviceType};
        assert!(!target.permits(DeviceType::Char, 1, 3, Access::READ));
        assert!(target.permits(DeviceType::Char, 136, 4, Access::READ | Access::WRITE));
        assert!(!target.permits(DeviceType::Block, 8, 0, Access::READ));
    }

    #[test]
    fn bad_or_fifo_rules_are_refused_by_the_parser() {
        let bad = ["c 1:3 rwk", "p 1:3 rwm", "c 1 rwm", "c 1:3"];
        for rule in bad {
            let argv = ["cgctl", "update", "/x", "--device-allow", rule];
            assert!(Cli::try_parse_from(argv).is_err(), "{rule}");
        }
    }
}
