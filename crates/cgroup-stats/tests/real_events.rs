//! Events on real cgroups (ktest): v2 `cgroup.events` on the unified hierarchy
//! of this host, a PSI trigger, a removed cgroup; `memory.events` where the v2
//! memory controller is enabled; the v1 OOM notification where a process may
//! join a v1 memory cgroup (the v1 VM tier).

// Tests write their own cgroups' files (cgroup.freeze, memory limits) directly.
#![allow(clippy::disallowed_methods)]

use std::process::{Command, Stdio};
use std::time::Duration;

use cgroup_stats::{
    ErrorKind, Event, EventWatcher, PressureKind, PressureResource, PressureTrigger,
};
use cgroups_core::CgroupDir;
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

fn open(cg: &TestCgroup) -> Result<CgroupDir, Failed> {
    Ok(CgroupDir::open_root(cg.hierarchy_root())?.open_child(cg.name())?)
}

/// Waits up to `secs` for an event matching `want`.
fn expect(w: &mut EventWatcher, secs: u64, want: impl Fn(&Event) -> bool) -> Result<(), Failed> {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while std::time::Instant::now() < deadline {
        let mut events = Vec::new();
        w.wait(Some(Duration::from_millis(500)), &mut events)?;
        if events.iter().any(&want) {
            return Ok(());
        }
        seen.extend(events);
    }
    Err(format!("no matching event in {secs} s; saw {seen:?}").into())
}

fn populated_and_frozen_changes_are_reported() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("ev-pop")?;
    let mut w = EventWatcher::new();
    w.watch_cgroup_events(&open(&cg)?)?;
    let mut none = Vec::new();
    w.wait(Some(Duration::from_millis(200)), &mut none)?;
    ensure!(none.is_empty(), "an idle cgroup reported {none:?}");

    let pid = cg.spawn_child()?;
    expect(&mut w, 10, |e| *e == Event::Populated(true))?;
    std::fs::write(cg.path().join("cgroup.freeze"), "1")?;
    expect(&mut w, 10, |e| *e == Event::Frozen(true))?;
    std::fs::write(cg.path().join("cgroup.freeze"), "0")?;
    expect(&mut w, 10, |e| *e == Event::Frozen(false))?;
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(pid as i32).ok_or("pid")?,
        rustix::process::Signal::KILL,
    )
    .map_err(|e| format!("kill: {e}"))?;
    expect(&mut w, 10, |e| *e == Event::Populated(false))?;
    cg.remove()
}

fn pressure_trigger_fires_under_cpu_contention() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("ev-psi")?;
    let mut w = EventWatcher::new();
    let trigger = PressureTrigger::new(
        PressureKind::Some,
        Duration::from_millis(20),
        Duration::from_secs(2),
    );
    w.watch_pressure(&open(&cg)?, PressureResource::Cpu, trigger)?;
    // Four busy loops on a machine with fewer CPUs stall each other.
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    for _ in 0..cpus * 2 {
        let child = Command::new("sh")
            .args([
                "-c",
                "end=$(($(date +%s)+8)); while [ $(date +%s) -lt $end ]; do :; done",
            ])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn: {e}"))?;
        cg.adopt_child(child.id())?;
        cg.attach(child.id())?;
    }
    expect(&mut w, 10, |e| *e == Event::Pressure(PressureResource::Cpu))?;
    cg.remove()
}

fn unprivileged_window_must_be_a_multiple_of_two_seconds() -> Result<(), Failed> {
    // Root here lacks CAP_SYS_RESOURCE: a 1 s window is refused by this kernel.
    let cg = TestCgroup::new_unified("ev-psi-win")?;
    let trigger = PressureTrigger::new(
        PressureKind::Some,
        Duration::from_millis(100),
        Duration::from_secs(1),
    );
    let err = EventWatcher::new()
        .watch_pressure(&open(&cg)?, PressureResource::Cpu, trigger)
        .err()
        .ok_or("1 s window accepted")?;
    ensure_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    cg.remove()
}

fn removing_a_watched_cgroup_gives_gone() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("ev-gone")?;
    let mut w = EventWatcher::new();
    w.watch_cgroup_events(&open(&cg)?)?;
    std::fs::remove_dir(cg.path())?;
    let mut events = Vec::new();
    let err = w
        .wait(Some(Duration::from_secs(5)), &mut events)
        .err()
        .ok_or("no error after rmdir")?;
    ensure_eq!(err.kind(), ErrorKind::Gone, "{err}");
    cg.remove()
}

/// A child that allocates until killed (memory limit 16 MiB in the test).
fn memory_hog(cg: &TestCgroup) -> Result<(), Failed> {
    let child = Command::new("sh")
        .args(["-c", "read go; x=a; while true; do x=$x$x; done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    cg.adopt_child(child.id())?;
    cg.attach(child.id())?;
    drop(child.stdin);
    Ok(())
}

fn v2_oom_kill_is_reported() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("ev-oom")?;
    std::fs::write(cg.path().join("memory.max"), "16777216")?;
    let _ = std::fs::write(cg.path().join("memory.swap.max"), "0");
    let mut w = EventWatcher::new();
    w.watch_memory_events(&open(&cg)?)?;
    memory_hog(&cg)?;
    expect(&mut w, 30, |e| matches!(e, Event::OomKill { .. }))?;
    cg.remove()
}

fn v1_oom_notification_fires() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("memory", "ev-oom1")?;
    std::fs::write(cg.path().join("memory.limit_in_bytes"), "16777216")?;
    let mut w = EventWatcher::new();
    w.watch_v1_oom(&open(&cg)?)?;
    memory_hog(&cg)?;
    expect(&mut w, 30, |e| matches!(e, Event::V1Oom { .. }))?;
    cg.remove()
}

fn main() {
    ktest::main(vec![
        Test::new(
            "populated_and_frozen_changes_are_reported",
            populated_and_frozen_changes_are_reported,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cgroup.freeze")),
        Test::new(
            "pressure_trigger_fires_under_cpu_contention",
            pressure_trigger_fires_under_cpu_contention,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cpu.pressure")),
        Test::new(
            "unprivileged_window_must_be_a_multiple_of_two_seconds",
            unprivileged_window_must_be_a_multiple_of_two_seconds,
        )
        .needs(Need::Root)
        .needs(Need::Tier("host"))
        .needs(Need::UnifiedFile("cpu.pressure")),
        Test::new(
            "removing_a_watched_cgroup_gives_gone",
            removing_a_watched_cgroup_gives_gone,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cgroup.events")),
        Test::new("v2_oom_kill_is_reported", v2_oom_kill_is_reported)
            .needs(Need::Root)
            .needs(Need::V2Controller("memory")),
        Test::new("v1_oom_notification_fires", v1_oom_notification_fires)
            .needs(Need::Root)
            .needs(Need::V1MemoryAttach),
    ])
}
