//! Against a real systemd on the system bus and its private socket (the systemd
//! container and VM tiers): transient scopes and slices, properties read back, unit
//! exists, a failed job, stop, `KillUnit` on a process that ignores `SIGTERM`, and
//! the connection across `fork`; in the systemd VM (pure v2) limits are enforced.
//! The v1 path is `real_systemd_v1`.

mod common;

use cgroups_core::{CpuQuota, ErrorKind as CoreKind, FreezerState, Limit, Manager, Resources};
use cgroups_systemd::properties::{CgroupVersion, unit_properties};
use cgroups_systemd::property::{Property, Value};
use cgroups_systemd::unit::UnitName;
use cgroups_systemd::{Bus, Client, ErrorKind, KillWho, SystemdManager};
use common::*;
use ktest::{Failed, Need, Test, ensure, ensure_eq};

fn scope_with_pid_starts_and_reads_back() -> Result<(), Failed> {
    let _serial = serial();
    let sleeper = Sleeper::start()?;
    let unit = UnitName::new("system.slice", &unique("scope"), "a")?;
    let mut props = unit_properties(
        &unit,
        Some(sleeper.pid()),
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    props.push(Property::new("TasksMax", Value::U64(77)));
    client().start_transient_unit(unit.name(), &props)?;
    let _guard = UnitGuard(unit.name().to_owned());
    let cgroup = client().unit_property(unit.name(), SCOPE, "ControlGroup")?;
    ensure_eq!(cgroup, unit.cgroup_path());
    ensure!(cgroup_of(sleeper.pid())?.contains(&unit.cgroup_path()));
    ensure_eq!(
        client().unit_property_u64(unit.name(), SCOPE, "TasksMax")?,
        77
    );
    ensure_eq!(
        client().unit_property(unit.name(), UNIT, "ActiveState")?,
        "active"
    );
    let set = [
        Property::new("MemoryMax", Value::U64(64 << 20)),
        Property::new("CPUQuotaPerSecUSec", Value::U64(130_000)),
    ];
    client().set_unit_properties(unit.name(), &set)?;
    ensure_eq!(
        client().unit_property_u64(unit.name(), SCOPE, "MemoryMax")?,
        64 << 20
    );
    ensure_eq!(
        client().unit_property_u64(unit.name(), SCOPE, "CPUQuotaPerSecUSec")?,
        130_000
    );
    client().stop_unit(unit.name())?;
    let gone = client().get_unit(unit.name());
    ensure!(
        matches!(&gone, Err(e) if e.kind() == ErrorKind::NoSuchUnit),
        "unit still loaded after stop: {gone:?}"
    );
    Ok(())
}

fn second_start_of_a_slice_reports_unit_exists() -> Result<(), Failed> {
    let _serial = serial();
    let name = format!("{}.slice", unique("slice").replace('-', "_"));
    let unit = UnitName::new("system.slice", "", &name)?;
    let props = unit_properties(
        &unit,
        None,
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    client().start_transient_unit(unit.name(), &props)?;
    let _guard = UnitGuard(unit.name().to_owned());
    ensure_eq!(
        client().unit_property(
            unit.name(),
            "org.freedesktop.systemd1.Slice",
            "ControlGroup"
        )?,
        unit.cgroup_path()
    );
    let again = client().start_transient_unit(unit.name(), &props);
    ensure!(
        matches!(&again, Err(e) if e.kind() == ErrorKind::UnitExists),
        "expected UnitExists, got {again:?}"
    );
    Ok(())
}

fn failed_job_is_an_error_and_resets_the_unit() -> Result<(), Failed> {
    let _serial = serial();
    let sleeper = Sleeper::start()?;
    let unit = UnitName::new("system.slice", &unique("fail"), "a")?;
    let _guard = UnitGuard(unit.name().to_owned());
    let mut props = unit_properties(
        &unit,
        Some(sleeper.pid()),
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    // Requisite= on a loaded but inactive unit: the job fails with "dependency".
    let inactive = "rescue.service".to_owned();
    props.push(Property::new(
        "Requisite",
        Value::StrList(vec![inactive.clone()]),
    ));
    props.push(Property::new("After", Value::StrList(vec![inactive])));
    let err = match client().start_transient_unit(unit.name(), &props) {
        Ok(()) => return Err("a scope requiring a missing unit started".into()),
        Err(e) => e,
    };
    ensure_eq!(err.kind(), ErrorKind::JobFailed, "{err}");
    ensure_eq!(err.value(), Some("dependency"));
    ensure_eq!(err.unit(), Some(unit.name()));
    // Reset: the unit is not left in the failed state.
    if let Ok(state) = client().unit_property(unit.name(), UNIT, "ActiveState") {
        ensure!(state != "failed", "unit left failed");
    }
    Ok(())
}

fn stopping_a_unit_that_does_not_exist_succeeds() -> Result<(), Failed> {
    let _serial = serial();
    client().stop_unit(&format!("{}.scope", unique("never")))?;
    Ok(())
}

fn forked_child_reconnects_instead_of_using_the_parents_connection() -> Result<(), Failed> {
    let _serial = serial();
    let before = client().version()?;
    // SAFETY: the child only calls the client (socket I/O, allocation) and `_exit`s;
    // the parent waits for it. No lock of this process is held across the fork by
    // this thread.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let code = match client().version() {
            Ok(v) if v == before => 0,
            _ => 1,
        };
        // SAFETY: ends the forked child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    ensure!(pid > 0, "fork failed");
    let mut status = 0;
    // SAFETY: waits for our own child.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    ensure_eq!(waited, pid);
    ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child: {status:#x}"
    );
    // The parent's connection still works after the child used the bus.
    ensure_eq!(client().version()?, before);
    Ok(())
}

/// The bus sockets (system and private) are close-on-exec: a command started after
/// the connections exist holds no socket of ours.
fn bus_sockets_do_not_leak_into_started_commands() -> Result<(), Failed> {
    let _serial = serial();
    let system = client();
    system.version()?;
    let private = Client::new(Bus::Private);
    private.version()?;
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "for f in /proc/self/fd/*; do readlink \"$f\"; done; exit 0",
        ])
        .output()?;
    let links = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(out.status.success(), "listing fds failed: {out:?}");
    ensure!(
        !links.lines().any(|l| l.starts_with("socket:")),
        "a socket reached the child: {links}"
    );
    Ok(())
}

/// The private socket: no bus daemon, no `Hello`; the first call is answered (it
/// used to wait forever, read together with `BEGIN`), a scope starts and stops, and
/// its job signals arrive without a match rule.
fn private_socket_starts_and_stops_a_scope() -> Result<(), Failed> {
    let _serial = serial();
    let private = Client::new(Bus::Private);
    ensure_eq!(private.version()?, client().version()?);
    let sleeper = Sleeper::start()?;
    let unit = UnitName::new("system.slice", &unique("p2p"), "a")?;
    let props = unit_properties(
        &unit,
        Some(sleeper.pid()),
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    private.start_transient_unit(unit.name(), &props)?;
    let _guard = UnitGuard(unit.name().to_owned());
    ensure_eq!(
        private.unit_property(unit.name(), UNIT, "ActiveState")?,
        "active"
    );
    // The system bus sees the unit the private socket made.
    ensure_eq!(
        client().unit_property(unit.name(), SCOPE, "ControlGroup")?,
        unit.cgroup_path()
    );
    ensure!(cgroup_of(sleeper.pid())?.contains(&unit.cgroup_path()));
    private.stop_unit(unit.name())?;
    unit_gone(unit.name())
}

/// Names systemd escapes (a leading `_`) are where `cgroup_path` says: a slice
/// `_x.slice` at `/__x.slice`, and in it a scope `_y.scope` at `.../__y.scope`.
fn escaped_names_match_the_control_group_systemd_reports() -> Result<(), Failed> {
    let _serial = serial();
    let slice_name = format!("_{}.slice", unique("esc").replace('-', "_"));
    let slice = UnitName::new("-.slice", "", &slice_name)?;
    ensure!(slice.cgroup_path().starts_with("/__cgtest_"), "{slice:?}");
    let props = unit_properties(
        &slice,
        None,
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    client().start_transient_unit(slice.name(), &props)?;
    let _slice_guard = UnitGuard(slice.name().to_owned());
    let iface = slice.kind().interface();
    ensure_eq!(
        client().unit_property(slice.name(), iface, "ControlGroup")?,
        slice.cgroup_path()
    );
    let sleeper = Sleeper::start()?;
    let scope_name = format!("_{}", unique("escs").replace('-', "_"));
    let scope = UnitName::new(&slice_name, "", &scope_name)?;
    let want = format!("{}/_{}", slice.cgroup_path(), scope.name());
    ensure_eq!(scope.cgroup_path(), want);
    let props = unit_properties(
        &scope,
        Some(sleeper.pid()),
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    client().start_transient_unit(scope.name(), &props)?;
    let _scope_guard = UnitGuard(scope.name().to_owned());
    ensure_eq!(
        client().unit_property(scope.name(), SCOPE, "ControlGroup")?,
        scope.cgroup_path()
    );
    ensure!(cgroup_of(sleeper.pid())?.contains(&scope.cgroup_path()));
    client().stop_unit(scope.name())?;
    client().stop_unit(slice.name())?;
    unit_gone(slice.name())
}

/// `KillUnit` reaches the scope's processes with the signal asked for: `SIGTERM` is
/// ignored, `SIGKILL` is not, and the emptied scope then stops at once (a plain
/// `StopUnit` would wait `TimeoutStopSec`, 90 s, for the process).
fn kill_unit_sigkills_a_process_ignoring_sigterm_and_the_scope_stops_promptly() -> Result<(), Failed>
{
    use std::time::{Duration, Instant};
    let _serial = serial();
    let mut stubborn = Stubborn::start()?;
    let unit = UnitName::new("system.slice", &unique("kill"), "a")?;
    let props = unit_properties(
        &unit,
        Some(stubborn.pid()),
        &Resources::default(),
        CgroupVersion::V2,
        version()?,
    );
    client().start_transient_unit(unit.name(), &props)?;
    let _guard = UnitGuard(unit.name().to_owned());
    ensure!(cgroup_of(stubborn.pid())?.contains(&unit.cgroup_path()));
    client().kill_unit(unit.name(), KillWho::All, 15)?;
    let early = stubborn.exited_within(Duration::from_millis(300))?;
    ensure!(
        early.is_none(),
        "the shell did not ignore SIGTERM: {early:?}"
    );
    client().kill_unit(unit.name(), KillWho::All, 9)?;
    let status = stubborn.exited_within(Duration::from_secs(5))?;
    let status = status.ok_or("still running 5 s after KillUnit(all, SIGKILL)")?;
    ensure!(killed_by_sigkill(status), "{status:?}");
    let started = Instant::now();
    client().stop_unit(unit.name())?;
    let took = started.elapsed();
    ensure!(took < Duration::from_secs(5), "stopping took {took:?}");
    unit_gone(unit.name())?;
    let missing = client().kill_unit(unit.name(), KillWho::All, 9);
    ensure!(
        matches!(&missing, Err(e) if e.kind() == ErrorKind::NoSuchUnit),
        "KillUnit on a stopped unit: {missing:?}"
    );
    Ok(())
}

/// The manager's `destroy` ends a scope whose process ignores `SIGTERM` at once
/// (it used to wait for the stop job until `JOB_TIMEOUT` and fail).
fn manager_destroy_ends_a_scope_whose_process_ignores_sigterm() -> Result<(), Failed> {
    use std::time::{Duration, Instant};
    let _serial = serial();
    let unit = UnitName::new("system.slice", &unique("stubborn"), "a")?;
    let mgr = SystemdManager::new(unit.clone(), Bus::System)?;
    let _guard = ManagerGuard(&mgr);
    let mut stubborn = Stubborn::start()?;
    mgr.add_pid(stubborn.pid())?;
    ensure!(cgroup_of(stubborn.pid())?.contains(&unit.cgroup_path()));
    let started = Instant::now();
    mgr.destroy()?;
    let took = started.elapsed();
    ensure!(took < Duration::from_secs(10), "destroy took {took:?}");
    let status = stubborn.exited_within(Duration::from_secs(5))?;
    let status = status.ok_or("the process survived destroy")?;
    ensure!(killed_by_sigkill(status), "{status:?}");
    unit_gone(unit.name())?;
    ensure!(!mgr.exists(), "cgroup left behind");
    Ok(())
}

fn limits() -> Resources {
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(77));
    r.memory.limit_bytes = Some(Limit::Value(64 << 20));
    r.cpu.weight = Some(200);
    r
}

fn manager_scope_starts_with_its_first_pid_sets_freezes_and_destroys() -> Result<(), Failed> {
    let _serial = serial();
    let unit = UnitName::new("system.slice", &unique("mgr"), "a")?;
    let name = unit.name().to_owned();
    let mgr = SystemdManager::new(unit.clone(), Bus::System)?;
    let _guard = ManagerGuard(&mgr);
    // A scope cannot start empty: create leaves it to add_pid, set refuses.
    mgr.create()?;
    ensure!(!mgr.exists(), "scope exists before its first process");
    let early = mgr.set(&limits());
    ensure!(
        matches!(&early, Err(e) if e.kind() == CoreKind::NotFound),
        "set before the scope runs: {early:?}"
    );
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    ensure!(mgr.exists());
    ensure_eq!(
        client().unit_property(&name, UNIT, "ActiveState")?,
        "active"
    );
    ensure!(cgroup_of(sleeper.pid())?.contains(&unit.cgroup_path()));
    ensure_eq!(mgr.pids()?, vec![sleeper.pid()]);
    let dir = mgr.paths().remove("").ok_or("no unified path")?;
    ensure_eq!(
        dir,
        std::path::Path::new("/sys/fs/cgroup").join(&unit.cgroup_path()[1..])
    );
    // create on a running scope is idempotent.
    mgr.create()?;

    let parent = dir.parent().ok_or("no parent")?.join("cgroup.controllers");
    let available = read(&parent).unwrap_or_default();
    let has = |c: &str| available.split_whitespace().any(|a| a == c);
    let tasks_before = client().unit_property_u64(&name, SCOPE, "TasksMax")?;
    if ["memory", "pids", "cpu"].iter().all(|c| has(c)) {
        mgr.set(&limits())?;
        ensure_eq!(read(&dir.join("pids.max")).as_deref(), Some("77"));
        ensure_eq!(read(&dir.join("memory.max")).as_deref(), Some("67108864"));
        ensure_eq!(read(&dir.join("cpu.weight")).as_deref(), Some("200"));
    } else {
        // The container's cgroup2 offers no controllers: the pre-flight refuses
        // before systemd is told anything.
        let err = match mgr.set(&limits()) {
            Ok(()) => return Err(format!("set without controllers ({available:?})").into()),
            Err(e) => e,
        };
        ensure_eq!(err.kind(), CoreKind::ControllerUnavailable, "{err}");
        ensure_eq!(
            client().unit_property_u64(&name, SCOPE, "TasksMax")?,
            tasks_before
        );
        // systemd stores the values anyway (not enforced: no controller, no file).
        mgr.set_properties(&limits())?;
        ensure!(read(&dir.join("memory.max")).is_none());
        ensure!(read(&dir.join("pids.max")).is_none());
    }
    ensure_eq!(client().unit_property_u64(&name, SCOPE, "TasksMax")?, 77);
    ensure_eq!(
        client().unit_property_u64(&name, SCOPE, "MemoryMax")?,
        64 << 20
    );
    ensure_eq!(client().unit_property_u64(&name, SCOPE, "CPUWeight")?, 200);

    mgr.freeze()?;
    ensure_eq!(mgr.freezer_state()?, FreezerState::Frozen);
    ensure!(read(&dir.join("cgroup.events")).is_some_and(|e| e.contains("frozen 1")));
    mgr.thaw()?;
    ensure_eq!(mgr.freezer_state()?, FreezerState::Thawed);

    mgr.destroy()?;
    unit_gone(&name)?;
    ensure!(!mgr.exists(), "cgroup left behind");
    ensure!(!dir.exists(), "{} left behind", dir.display());
    Ok(())
}

fn manager_quota_is_rounded_as_systemd_stores_it() -> Result<(), Failed> {
    let _serial = serial();
    let unit = UnitName::new("system.slice", &unique("quota"), "a")?;
    let mgr = SystemdManager::new(unit.clone(), Bus::System)?;
    let _guard = ManagerGuard(&mgr);
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    let mut r = Resources::default();
    r.cpu.quota = Some(CpuQuota::Micros(12_345));
    let copy = mgr.set_properties(&r)?;
    ensure_eq!(copy.cpu.quota, Some(CpuQuota::Micros(13_000)));
    ensure_eq!(
        client().unit_property_u64(unit.name(), SCOPE, "CPUQuotaPerSecUSec")?,
        130_000
    );
    mgr.destroy()?;
    unit_gone(unit.name())
}

/// Where systemd delegates cpu (`systemd-vm`): the weight and the rounded quota
/// reach `cpu.weight` and `cpu.max` of the scope.
fn manager_cpu_weight_and_rounded_quota_reach_cpu_max() -> Result<(), Failed> {
    let _serial = serial();
    let unit = UnitName::new("system.slice", &unique("cpu"), "a")?;
    let mgr = SystemdManager::new(unit.clone(), Bus::System)?;
    let _guard = ManagerGuard(&mgr);
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    let mut r = Resources::default();
    r.cpu.weight = Some(300);
    r.cpu.quota = Some(CpuQuota::Micros(12_345));
    mgr.set(&r)?;
    let dir = mgr.paths().remove("").ok_or("no unified path")?;
    ensure_eq!(read(&dir.join("cpu.weight")).as_deref(), Some("300"));
    ensure_eq!(read(&dir.join("cpu.max")).as_deref(), Some("13000 100000"));
    let property = |name| client().unit_property_u64(unit.name(), SCOPE, name);
    ensure_eq!(property("CPUWeight")?, 300);
    ensure_eq!(property("CPUQuotaPerSecUSec")?, 130_000);
    mgr.destroy()?;
    unit_gone(unit.name())
}

fn manager_ensures_a_slice_twice_and_destroys_it() -> Result<(), Failed> {
    let _serial = serial();
    let name = format!("{}.slice", unique("mslice").replace('-', "_"));
    let unit = UnitName::new("system.slice", "", &name)?;
    let mgr = SystemdManager::new(unit.clone(), Bus::System)?;
    let _guard = ManagerGuard(&mgr);
    mgr.create()?;
    mgr.create()?;
    ensure!(mgr.exists());
    ensure_eq!(
        client().unit_property(&name, UNIT, "ActiveState")?,
        "active"
    );
    // The slice's directory on cgroup2 (pure v2) or in any v1 hierarchy.
    let dir = mgr.paths().into_values().next().ok_or("no path")?;
    ensure!(dir.ends_with(&unit.cgroup_path()[1..]), "{}", dir.display());
    mgr.destroy()?;
    unit_gone(&name)?;
    ensure!(!dir.exists(), "{} left behind", dir.display());
    Ok(())
}

/// A scope of the manager, kept alive by a sleeper, with `resources` set.
fn limited_scope(
    tag: &str,
    resources: &Resources,
) -> Result<(SystemdManager, Sleeper, std::path::PathBuf), Failed> {
    let unit = UnitName::new("system.slice", &unique(tag), "a")?;
    let mgr = SystemdManager::new(unit, Bus::System)?;
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    mgr.set(resources)?;
    let dir = mgr.paths().remove("").ok_or("no unified path")?;
    Ok((mgr, sleeper, dir))
}

fn manager_memory_max_oom_kills_a_child_allocating_past_it() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(32 << 20));
    let (mgr, _sleeper, dir) = limited_scope("oom", &r)?;
    let _guard = ManagerGuard(&mgr);
    ensure_eq!(read(&dir.join("memory.max")).as_deref(), Some("33554432"));
    ensure_eq!(keyed(&dir, "memory.events", "oom_kill")?, 0);
    // dd holds one 128 MiB block in memory: four times the limit.
    let mut hog = Gated::start("dd if=/dev/zero of=/dev/null bs=128M count=1")?;
    mgr.add_pid(hog.0.id())?;
    let status = hog.release()?;
    ensure!(!status.success(), "dd survived MemoryMax=32M: {status:?}");
    ensure!(keyed(&dir, "memory.events", "oom_kill")? >= 1);
    mgr.destroy()?;
    Ok(())
}

fn manager_tasks_max_stops_a_fork_loop() -> Result<(), Failed> {
    let _serial = serial();
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(8));
    let (mgr, _sleeper, dir) = limited_scope("forks", &r)?;
    let _guard = ManagerGuard(&mgr);
    ensure_eq!(read(&dir.join("pids.max")).as_deref(), Some("8"));
    // 30 background sleeps: the shell cannot fork past the limit and gives up.
    let script = "i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); done; wait";
    let mut forks = Gated::start(script)?;
    mgr.add_pid(forks.0.id())?;
    let status = forks.release()?;
    ensure!(!status.success(), "the fork loop finished under TasksMax=8");
    ensure!(keyed(&dir, "pids.events", "max")? >= 1);
    let current: u64 = read(&dir.join("pids.current"))
        .ok_or("no pids.current")?
        .parse()?;
    ensure!(current <= 8, "pids.current {current} above TasksMax=8");
    mgr.destroy()?;
    Ok(())
}

fn main() {
    let tests = [
        Test::new(
            "scope_with_pid_starts_and_reads_back",
            scope_with_pid_starts_and_reads_back,
        ),
        Test::new(
            "second_start_of_a_slice_reports_unit_exists",
            second_start_of_a_slice_reports_unit_exists,
        ),
        Test::new(
            "failed_job_is_an_error_and_resets_the_unit",
            failed_job_is_an_error_and_resets_the_unit,
        ),
        Test::new(
            "stopping_a_unit_that_does_not_exist_succeeds",
            stopping_a_unit_that_does_not_exist_succeeds,
        ),
        Test::new(
            "forked_child_reconnects_instead_of_using_the_parents_connection",
            forked_child_reconnects_instead_of_using_the_parents_connection,
        ),
        Test::new(
            "bus_sockets_do_not_leak_into_started_commands",
            bus_sockets_do_not_leak_into_started_commands,
        ),
        Test::new(
            "private_socket_starts_and_stops_a_scope",
            private_socket_starts_and_stops_a_scope,
        ),
        Test::new(
            "escaped_names_match_the_control_group_systemd_reports",
            escaped_names_match_the_control_group_systemd_reports,
        ),
        Test::new(
            "kill_unit_sigkills_a_process_ignoring_sigterm_and_the_scope_stops_promptly",
            kill_unit_sigkills_a_process_ignoring_sigterm_and_the_scope_stops_promptly,
        ),
        Test::new(
            "manager_destroy_ends_a_scope_whose_process_ignores_sigterm",
            manager_destroy_ends_a_scope_whose_process_ignores_sigterm,
        ),
        // cgroup2 files and v2 properties: pure v2 only (v1: real_systemd_v1).
        Test::new(
            "manager_scope_starts_with_its_first_pid_sets_freezes_and_destroys",
            manager_scope_starts_with_its_first_pid_sets_freezes_and_destroys,
        )
        .needs(Need::PureV2),
        Test::new(
            "manager_quota_is_rounded_as_systemd_stores_it",
            manager_quota_is_rounded_as_systemd_stores_it,
        ),
        Test::new(
            "manager_ensures_a_slice_twice_and_destroys_it",
            manager_ensures_a_slice_twice_and_destroys_it,
        ),
    ];
    // Enforced limits: a systemd whose cgroup2 root delegates the controller (the
    // systemd VM tier; the container tiers store limits without controllers).
    let enforced = [
        Test::new(
            "manager_memory_max_oom_kills_a_child_allocating_past_it",
            manager_memory_max_oom_kills_a_child_allocating_past_it,
        )
        .needs(Need::V2Controller("memory")),
        Test::new(
            "manager_tasks_max_stops_a_fork_loop",
            manager_tasks_max_stops_a_fork_loop,
        )
        .needs(Need::V2Controller("pids")),
        Test::new(
            "manager_cpu_weight_and_rounded_quota_reach_cpu_max",
            manager_cpu_weight_and_rounded_quota_reach_cpu_max,
        )
        .needs(Need::V2Controller("cpu")),
    ];
    ktest::main(
        tests
            .into_iter()
            .chain(enforced)
            .map(|t| t.needs(Need::Root).needs(Need::Systemd))
            .collect(),
    )
}
