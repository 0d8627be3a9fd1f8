//! Real-kernel tests of device rules on cgroup v1 (ktest harness): a process in a
//! devices cgroup that denies `c 1:3` cannot open `/dev/null` (EPERM) but opens
//! `/dev/zero`, and keeps doing so while the rules are swapped 1,000 times.
//!
//! The processes join only the devices and freezer hierarchies (never memory); each
//! test works in its own `cgtest-*` cgroup, killed and removed on drop.
// Tests read kernel files directly to check what the driver wrote.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

use cgroups_core::{CgroupPath, Config, Manager, Resources};
use cgroups_fs::FsManager;
use devices::Rule;
use ktest::prober::{self, Prober};
use ktest::{CleanupGuard, Failed, Need, TestCgroup, ensure_eq};

const EPERM: i32 = 1;

/// A manager on a fresh cgroup in the devices and freezer hierarchies.
struct Case {
    m: FsManager,
    _guard: CleanupGuard,
}

impl Case {
    fn new(tag: &str) -> Result<Case, Failed> {
        let name = TestCgroup::name_for(tag);
        let config = Config::new(CgroupPath::parse(&format!("/{name}"))?)
            .controllers(["devices", "freezer"]);
        let m = FsManager::new(config)?;
        let paths: Vec<PathBuf> = m.paths().into_values().collect();
        ensure_eq!(paths.len(), 2, "{paths:?}");
        let guard = ktest::cleanup_guard(paths);
        m.create()?;
        for path in m.paths().values() {
            ktest::assert_cgroupfs(path)?;
        }
        Ok(Case { m, _guard: guard })
    }

    fn devices_dir(&self) -> Result<PathBuf, Failed> {
        Ok(self
            .m
            .paths()
            .get("devices")
            .ok_or("no devices path")?
            .clone())
    }

    fn list(&self) -> Result<String, Failed> {
        Ok(std::fs::read_to_string(
            self.devices_dir()?.join("devices.list"),
        )?)
    }

    fn set_rules(&self, rules: &[(&str, bool)]) -> Result<(), Failed> {
        let mut r = Resources::default();
        let mut parsed = Vec::new();
        for (text, allow) in rules {
            parsed.push(Rule::parse(text, *allow)?);
        }
        r.devices = Some(parsed);
        self.m.set(&r)?;
        Ok(())
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = self.m.kill();
        let _ = self.m.destroy();
    }
}

fn open_errnos(case: &Case) -> Result<(i32, i32), Failed> {
    Prober::once_in(|pid| case.m.add_pid(pid))
}

fn deny_list_without_null_refuses_dev_null_with_eperm() -> Result<(), Failed> {
    let case = Case::new("devdeny")?;
    ensure_eq!(open_errnos(&case)?, (0, 0), "before any rule");
    case.set_rules(&[("a", true), ("c 1:3 rwm", false)])?;
    ensure_eq!(case.list()?, "a *:* rwm\n");
    ensure_eq!(open_errnos(&case)?, (EPERM, 0));
    Ok(())
}

fn allow_list_with_zero_only_refuses_dev_null_with_eperm() -> Result<(), Failed> {
    let case = Case::new("devallow")?;
    case.set_rules(&[("c 1:5 rwm", true)])?;
    ensure_eq!(case.list()?, "c 1:5 rwm\n");
    ensure_eq!(open_errnos(&case)?, (EPERM, 0));
    // Back to everything allowed.
    case.set_rules(&[("a", true)])?;
    ensure_eq!(open_errnos(&case)?, (0, 0));
    Ok(())
}

fn thousand_allow_list_swaps_never_open_null_nor_lose_zero() -> Result<(), Failed> {
    let case = Case::new("devswap")?;
    let a: &[(&str, bool)] = &[("c 1:5 rwm", true), ("c 1:7 rwm", true)];
    // Zero loses write and mknod (read stays), full goes, random and pts come.
    let b: &[(&str, bool)] = &[("c 1:5 r", true), ("c 1:8 rwm", true), ("c 136:* rw", true)];
    case.set_rules(a)?;
    let tally = prober::swap_while_probing(
        "v1 swaps",
        |pid| case.m.add_pid(pid),
        |i| case.set_rules(if i % 2 == 0 { b } else { a }),
    )?;
    tally.ensure_null_refused_zero_opened()?;
    ensure_eq!(case.list()?, "c 1:5 rwm\nc 1:7 rwm\n");
    Ok(())
}

fn main() {
    prober::run_if_asked();
    ktest::main(ktest::tests_needing(
        &[
            Need::Root,
            Need::V1Controller("devices"),
            Need::V1Controller("freezer"),
        ],
        &[
            (
                "deny_list_without_null_refuses_dev_null_with_eperm",
                deny_list_without_null_refuses_dev_null_with_eperm,
            ),
            (
                "allow_list_with_zero_only_refuses_dev_null_with_eperm",
                allow_list_with_zero_only_refuses_dev_null_with_eperm,
            ),
            (
                "thousand_allow_list_swaps_never_open_null_nor_lose_zero",
                thousand_allow_list_swaps_never_open_null_nor_lose_zero,
            ),
        ],
    ))
}
