//! The v1 path of `SystemdManager` against systemd 252 on a hybrid layout (the
//! `systemd-vm-v1` tier: `systemd.unified_cgroup_hierarchy=0`, limits enforced):
//! `MemoryLimit` (a hog is OOM-killed), `CPUShares`, the quota rounded as systemd
//! stores it, `BlockIOWeight`, `DevicePolicy`/`DeviceAllow` (a denied device cannot
//! be opened), `TasksMax` (a fork loop is stopped), the fs driver's writes after the
//! unit exists, and the freeze around property changes with device rules.

mod common;

use std::path::{Path, PathBuf};

use cgroups_core::{CpuQuota, FreezerState, Limit, Manager, Resources};
use cgroups_systemd::properties::CgroupVersion;
use cgroups_systemd::unit::UnitName;
use cgroups_systemd::{Bus, SystemdManager};
use common::*;
use devices::Rule;
use ktest::{Failed, Need, Test, ensure, ensure_eq};

/// A scope of the manager on v1, kept alive by a sleeper, with `resources` set.
fn v1_scope(tag: &str, resources: &Resources) -> Result<(SystemdManager, Sleeper), Failed> {
    let unit = UnitName::new("system.slice", &unique(tag), "a")?;
    let mgr = SystemdManager::new(unit, Bus::System)?;
    ensure_eq!(mgr.cgroup_version(), CgroupVersion::V1);
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    mgr.set(resources)?;
    Ok((mgr, sleeper))
}

/// The scope's directory in the hierarchy of `controller`, checked to be cgroupfs.
fn dir(mgr: &SystemdManager, controller: &str) -> Result<PathBuf, Failed> {
    let dir = mgr
        .paths()
        .remove(controller)
        .ok_or_else(|| format!("no {controller} path in {:?}", mgr.paths()))?;
    ensure!(
        dir.ends_with(&mgr.unit().cgroup_path()[1..]),
        "{} is not the unit's cgroup",
        dir.display()
    );
    ktest::assert_cgroupfs(&dir)?;
    Ok(dir)
}

fn file(dir: &Path, name: &str) -> Result<String, Failed> {
    read(&dir.join(name)).ok_or_else(|| format!("no {name} in {}", dir.display()).into())
}

fn prop(mgr: &SystemdManager, name: &str) -> Result<u64, Failed> {
    Ok(client().unit_property_u64(mgr.unit().name(), SCOPE, name)?)
}

fn v1_memory_limit_oom_kills_a_hog() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(32 << 20));
    let (mgr, _sleeper) = v1_scope("v1oom", &r)?;
    let _guard = ManagerGuard(&mgr);
    ensure_eq!(prop(&mgr, "MemoryLimit")?, 32 << 20);
    let memory = dir(&mgr, "memory")?;
    ensure_eq!(file(&memory, "memory.limit_in_bytes")?, "33554432");
    ensure_eq!(mgr.oom_kill_count()?, 0);
    // dd holds one 128 MiB block in memory: four times the limit.
    let mut hog = Gated::start("dd if=/dev/zero of=/dev/null bs=128M count=1")?;
    mgr.add_pid(hog.0.id())?;
    let status = hog.release()?;
    ensure!(!status.success(), "dd survived MemoryLimit=32M: {status:?}");
    ensure!(mgr.oom_kill_count()? >= 1, "no OOM kill counted");
    mgr.destroy()?;
    unit_gone(mgr.unit().name())?;
    ensure!(!memory.exists(), "{} left behind", memory.display());
    Ok(())
}

fn v1_cpu_shares_and_the_quota_rounded_as_systemd_stores_it() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.cpu.shares = Some(512);
    r.cpu.quota = Some(CpuQuota::Micros(12_345));
    let (mgr, _sleeper) = v1_scope("v1cpu", &r)?;
    let _guard = ManagerGuard(&mgr);
    ensure_eq!(prop(&mgr, "CPUShares")?, 512);
    ensure_eq!(prop(&mgr, "CPUQuotaPerSecUSec")?, 130_000);
    let cpu = dir(&mgr, "cpu")?;
    ensure_eq!(file(&cpu, "cpu.shares")?, "512");
    // 12 345 µs per 100 ms is 12.3 %: systemd keeps 13 %, and so does cgroupfs.
    ensure_eq!(file(&cpu, "cpu.cfs_period_us")?, "100000");
    ensure_eq!(file(&cpu, "cpu.cfs_quota_us")?, "13000");
    mgr.destroy()?;
    unit_gone(mgr.unit().name())
}

fn v1_block_io_weight_is_stored_and_written() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.block_io.weight = Some(300);
    let unit = UnitName::new("system.slice", &unique("v1blkio"), "a")?;
    let mgr = SystemdManager::new(unit, Bus::System)?;
    let _guard = ManagerGuard(&mgr);
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    let blkio = dir(&mgr, "blkio")?;
    // The weight file depends on the I/O scheduler (CFQ is gone since 5.0; BFQ has
    // blkio.bfq.weight once loaded): systemd stores the property either way.
    let weight_file = ["blkio.weight", "blkio.bfq.weight"]
        .into_iter()
        .find(|f| blkio.join(f).exists());
    match weight_file {
        Some(f) => {
            mgr.set(&r)?;
            ensure_eq!(file(&blkio, f)?.split_whitespace().last(), Some("300"));
        }
        None => {
            // No weight file (the systemd-vm-v1 kernel: no CFQ, BFQ not loaded): the
            // fs driver refuses the value, systemd keeps it.
            // TODO(the bfq module in the systemd-vm-v1 guest): see the weight written.
            ensure!(
                mgr.set(&r).is_err(),
                "a weight was written without a weight file"
            );
            mgr.set_properties(&r)?;
        }
    }
    ensure_eq!(prop(&mgr, "BlockIOWeight")?, 300);
    mgr.destroy()?;
    unit_gone(mgr.unit().name())
}

/// Deny every device, allow /dev/null (c 1:3).
fn only_dev_null() -> Result<Resources, Failed> {
    let mut r = Resources::default();
    r.devices = Some(vec![
        Rule::parse("a *:* rwm", false)?,
        Rule::parse("c 1:3 rwm", true)?,
    ]);
    Ok(r)
}

fn v1_device_policy_denies_a_device_to_the_scope() -> Result<(), Failed> {
    let _serial = serial();
    let (mgr, _sleeper) = v1_scope("v1dev", &only_dev_null()?)?;
    let _guard = ManagerGuard(&mgr);
    let name = mgr.unit().name();
    ensure_eq!(
        client().unit_property(name, SCOPE, "DevicePolicy")?,
        "strict"
    );
    let allow = client().unit_property_pairs(name, SCOPE, "DeviceAllow")?;
    // systemd ≥ 240 takes c 1:3 as its device node path /dev/char/1:3.
    ensure_eq!(allow, vec![("/dev/char/1:3".to_owned(), "rwm".to_owned())]);
    let devices = dir(&mgr, "devices")?;
    ensure_eq!(file(&devices, "devices.list")?, "c 1:3 rwm");
    // Frozen for the change, thawed after it.
    ensure_eq!(mgr.freezer_state()?, FreezerState::Thawed);
    let script = "head -c 1 /dev/zero > /dev/null 2>&1 && exit 1; \
                  echo > /dev/null || exit 2; exit 0";
    let mut probe = Gated::start(script)?;
    mgr.add_pid(probe.0.id())?;
    let status = probe.release()?;
    ensure_eq!(
        status.code(),
        Some(0),
        "/dev/zero opened or /dev/null refused"
    );
    mgr.destroy()?;
    unit_gone(name)
}

fn v1_device_change_that_freezes_leaves_the_scope_frozen() -> Result<(), Failed> {
    let _serial = serial();
    let (mgr, _sleeper) = v1_scope("v1frz", &Resources::default())?;
    let _guard = ManagerGuard(&mgr);
    let mut r = only_dev_null()?;
    r.freezer = Some(FreezerState::Frozen);
    mgr.set(&r)?;
    let freezer = dir(&mgr, "freezer")?;
    ensure_eq!(file(&freezer, "freezer.state")?, "FROZEN");
    // Changing device rules of a frozen scope keeps it frozen (no thaw after).
    mgr.set(&only_dev_null()?)?;
    ensure_eq!(file(&freezer, "freezer.state")?, "FROZEN");
    mgr.thaw()?;
    ensure_eq!(file(&freezer, "freezer.state")?, "THAWED");
    mgr.destroy()?;
    unit_gone(mgr.unit().name())
}

fn v1_tasks_max_stops_a_fork_loop() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(8));
    let (mgr, _sleeper) = v1_scope("v1forks", &r)?;
    let _guard = ManagerGuard(&mgr);
    ensure_eq!(prop(&mgr, "TasksMax")?, 8);
    let pids = dir(&mgr, "pids")?;
    ensure_eq!(file(&pids, "pids.max")?, "8");
    let script = "i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); done; wait";
    let mut forks = Gated::start(script)?;
    mgr.add_pid(forks.0.id())?;
    let status = forks.release()?;
    ensure!(!status.success(), "the fork loop finished under TasksMax=8");
    ensure!(keyed(&pids, "pids.events", "max")? >= 1);
    let current: u64 = file(&pids, "pids.current")?.parse()?;
    ensure!(current <= 8, "pids.current {current} above TasksMax=8");
    mgr.destroy()?;
    unit_gone(mgr.unit().name())
}

fn v1_fs_driver_writes_what_systemd_does_not_manage() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.network.class_id = Some(0x10_0001);
    r.memory.swappiness = Some(10);
    let (mgr, sleeper) = v1_scope("v1fs", &r)?;
    let _guard = ManagerGuard(&mgr);
    // net_cls is no systemd controller: the fs driver made the cgroup and moved the
    // process into it after systemd started the scope.
    let net_cls = dir(&mgr, "net_cls")?;
    ensure_eq!(file(&net_cls, "net_cls.classid")?, "1048577");
    let scope = mgr.unit().cgroup_path();
    let line = cgroup_of(sleeper.pid())?
        .lines()
        .find(|l| {
            l.split(':')
                .nth(1)
                .is_some_and(|c| c.split(',').any(|c| c == "net_cls"))
        })
        .map(str::to_owned)
        .ok_or("no net_cls line in /proc/<pid>/cgroup")?;
    ensure!(line.ends_with(&scope), "{line}");
    // memory.swappiness has no systemd property.
    ensure_eq!(file(&dir(&mgr, "memory")?, "memory.swappiness")?, "10");
    mgr.destroy()?;
    unit_gone(mgr.unit().name())?;
    ensure!(!net_cls.exists(), "{} left behind", net_cls.display());
    Ok(())
}

fn main() {
    let v1 = |c| Need::V1Controller(c);
    let tests = vec![
        Test::new(
            "v1_memory_limit_oom_kills_a_hog",
            v1_memory_limit_oom_kills_a_hog,
        ),
        Test::new(
            "v1_cpu_shares_and_the_quota_rounded_as_systemd_stores_it",
            v1_cpu_shares_and_the_quota_rounded_as_systemd_stores_it,
        )
        .needs(v1("cpu")),
        Test::new(
            "v1_block_io_weight_is_stored_and_written",
            v1_block_io_weight_is_stored_and_written,
        )
        .needs(v1("blkio")),
        Test::new(
            "v1_device_policy_denies_a_device_to_the_scope",
            v1_device_policy_denies_a_device_to_the_scope,
        )
        .needs(v1("devices"))
        .needs(v1("freezer")),
        Test::new(
            "v1_device_change_that_freezes_leaves_the_scope_frozen",
            v1_device_change_that_freezes_leaves_the_scope_frozen,
        )
        .needs(v1("devices"))
        .needs(v1("freezer")),
        Test::new(
            "v1_tasks_max_stops_a_fork_loop",
            v1_tasks_max_stops_a_fork_loop,
        )
        .needs(v1("pids")),
        Test::new(
            "v1_fs_driver_writes_what_systemd_does_not_manage",
            v1_fs_driver_writes_what_systemd_does_not_manage,
        )
        .needs(v1("net_cls")),
    ];
    // Every v1 scope joins the v1 memory hierarchy (systemd puts it there).
    ktest::main(
        tests
            .into_iter()
            .map(|t| {
                t.needs(Need::Root)
                    .needs(Need::Systemd)
                    .needs(v1("memory"))
                    .needs(Need::V1MemoryAttach)
            })
            .collect(),
    )
}
