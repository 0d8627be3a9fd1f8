//! Against a real systemd on the system bus (the systemd container tier): transient
//! scopes and slices, properties read back, unit exists, a failed job, stop, and the
//! connection across `fork`. Limits are stored by systemd there, not enforced.

use std::process::{Child, Command};

use cgroups_core::Resources;
use cgroups_systemd::properties::{CgroupVersion, unit_properties};
use cgroups_systemd::property::{Property, Value};
use cgroups_systemd::unit::UnitName;
use cgroups_systemd::version::{SystemdVersion, parse_version};
use cgroups_systemd::{Bus, Client, ErrorKind};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

const SCOPE: &str = "org.freedesktop.systemd1.Scope";
const UNIT: &str = "org.freedesktop.systemd1.Unit";

fn client() -> Client {
    Client::new(Bus::System)
}

/// Every test holds this while it uses the bus, so that the fork test forks while no
/// other thread is inside a client call (the documented contract of `fork`).
static BUS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    BUS.lock().unwrap_or_else(|e| e.into_inner())
}

fn unique(tag: &str) -> String {
    format!("cgtest-{}-{tag}", std::process::id())
}

/// A child that sleeps, killed and reaped on drop.
struct Sleeper(Child);

impl Sleeper {
    fn start() -> Result<Sleeper, Failed> {
        let child = Command::new("sleep").arg("60").spawn()?;
        Ok(Sleeper(child))
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Stops the unit on drop (also when a check failed).
struct UnitGuard(String);

impl Drop for UnitGuard {
    fn drop(&mut self) {
        let _ = client().stop_unit(&self.0);
    }
}

fn version() -> Result<SystemdVersion, Failed> {
    let text = client().version()?;
    Ok(SystemdVersion(parse_version(&text).ok_or("no version")?))
}

#[allow(clippy::disallowed_methods)] // reading procfs of our own child in a test
fn cgroup_of(pid: u32) -> Result<String, Failed> {
    Ok(std::fs::read_to_string(format!("/proc/{pid}/cgroup"))?)
}

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
    ];
    ktest::main(
        tests
            .into_iter()
            .map(|t| t.needs(Need::Root).needs(Need::Systemd))
            .collect(),
    )
}
