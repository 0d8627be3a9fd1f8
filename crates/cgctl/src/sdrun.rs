//! `cgctl run` with the systemd driver: the command in a transient scope
//! `cgctl-NAME.scope` of a slice, with `Delegate=yes` and the limits as unit
//! properties, then the summary, then the unit stopped and reset.
//!
//! The order (see [`crate::gate`]):
//!
//! 1. cgctl starts itself as a helper held at a gate (the command's future pid);
//! 2. `StartTransientUnit` with `PIDs=[helper]`, `Slice`, `Delegate`, accounting and,
//!    on cgroup v2 with systemd ≥ 253, `OOMPolicy=continue` (a scope's default is to
//!    be stopped at the first OOM kill; cgctl lets the command decide, as with
//!    cgroupfs); the driver then follows the unit's cgroup;
//! 3. a keeper (the same helper without a command) joins the scope: it holds the scope
//!    open after the command exits, until the usage is read;
//! 4. the limits: the driver's `set` (properties over D-Bus, then the files systemd
//!    does not write);
//! 5. the gate opens: the helper execs the command, already inside the scope.

use std::time::Instant;

use cgroups_core::{CgroupMode, Resources};
use cgroups_systemd::properties::{CgroupVersion, unit_properties};
use cgroups_systemd::unit::{UnitKind, UnitName};
use cgroups_systemd::version::{SystemdVersion, parse_version};
use cgroups_systemd::{Bus, Client, ErrorKind};

use crate::backend::{self, Backend};
use crate::cli::{DEFAULT_SLICE, RunArgs};
use crate::gate::Held;
use crate::run::{Cleanup, Ends, exec_failure, exit_code, unique_name};
use crate::summary::{self, Summary};
use crate::target::UNIT_PREFIX;
use crate::{Failure, Result};

const UNIT_IFACE: &str = "org.freedesktop.systemd1.Unit";

/// The slice of `--parent`: a slice unit name, validated and placed as systemd does.
pub fn slice_of(parent: Option<&str>) -> Result<String> {
    let Some(parent) = parent else {
        return Ok(DEFAULT_SLICE.to_owned());
    };
    if parent.contains('/') {
        let mut f = Failure::usage(format!(
            "--parent {parent}: the systemd driver takes a slice unit name, not a cgroup path"
        ));
        f.hint = Some(
            "name a slice such as cgctl.slice or jobs-batch.slice (placed at \
             /jobs.slice/jobs-batch.slice), or use --driver cgroupfs for a cgroup path"
                .to_owned(),
        );
        return Err(f);
    }
    // The structure, the characters and the length systemd accepts.
    cgroups_systemd::slice::validate_slice(parent)
        .map_err(|e| Failure::usage(format!("--parent: {e}")))?;
    Ok(parent.to_owned())
}

/// The scope of this run: `cgctl-NAME.scope` in the slice.
pub fn scope_for(slice: &str, name: &str) -> Result<UnitName> {
    let unit = UnitName::new(slice, UNIT_PREFIX, name)
        .map_err(|e| Failure::usage(format!("--name {name}: {e}")))?;
    if unit.kind() != UnitKind::Scope {
        return Err(Failure::usage(format!(
            "--name {name}: cgctl runs commands in scopes; a name ending in .slice would \
             make a slice"
        )));
    }
    Ok(unit)
}

/// What the command's start needs from `resources`: the OOM policy. A scope is
/// stopped at the first OOM kill by default (systemd ≥ 253); `continue` leaves it to
/// the command, as cgroupfs does, unless `memory.oom.group` asks for the group kill.
fn start_resources(resources: &Resources) -> Resources {
    let mut start = Resources::default();
    start.memory.oom_group = resources.memory.oom_group.or(Some(false));
    if let Some(v) = resources.unified.get("memory.oom.group") {
        start
            .unified
            .insert("memory.oom.group".to_owned(), v.clone());
    }
    start
}

fn bus_failure(what: &str, e: cgroups_systemd::Error) -> Failure {
    Failure::usage(format!("{what}: {e}"))
}

fn already_exists(unit: &UnitName, state: &str) -> Failure {
    Failure::usage(format!(
        "unit {} already exists ({state}): `cgctl run` only runs in a new scope \
         (choose another --name, or stop it with `cgctl destroy --kill {}`)",
        unit.name(),
        unit.name()
    ))
}

/// Refuses a unit that is already running (a failed or inactive one is reset when
/// started).
fn refuse_running(client: &Client, unit: &UnitName) -> Result<()> {
    match client.unit_property(unit.name(), UNIT_IFACE, "ActiveState") {
        Ok(state) if state == "inactive" || state == "failed" => Ok(()),
        Ok(state) => Err(already_exists(unit, &state)),
        Err(e) if e.kind() == ErrorKind::NoSuchUnit => Ok(()),
        Err(e) => Err(bus_failure("asking systemd about the unit", e)),
    }
}

/// Starts the scope with `pid` as its first process; returns its cgroup as systemd
/// reports it. `cleanup` is armed as soon as
/// the unit is this run's: not when systemd answers that it exists (another run of
/// the same name won the race since [`refuse_running`]; stopping it would kill that
/// run's command).
fn start_scope(
    backend: &Backend,
    unit: &UnitName,
    pid: u32,
    resources: &Resources,
    cleanup: &mut Cleanup<'_>,
) -> Result<Option<cgroups_core::CgroupPath>> {
    let client = Client::new(Bus::System);
    let text = client
        .version()
        .map_err(|e| bus_failure("reading systemd's version", e))?;
    let version = SystemdVersion(parse_version(&text).unwrap_or(0));
    let cgroup = match backend.hierarchies.mode() {
        CgroupMode::Unified => CgroupVersion::V2,
        _ => CgroupVersion::V1,
    };
    let props = unit_properties(
        unit,
        Some(pid),
        &start_resources(resources),
        cgroup,
        version,
    );
    let started = match client.start_transient_unit(unit.name(), &props) {
        Err(e) if e.kind() == ErrorKind::UnitExists => {
            // Loaded but not running (refuse_running checked): reset, try once more.
            let _ = client.reset_failed_unit(unit.name());
            client.start_transient_unit(unit.name(), &props)
        }
        other => other,
    };
    // Made by this call: the unit is ours whether its start job succeeded or not.
    let ours = match &started {
        Ok(()) => true,
        Err(e) => matches!(e.kind(), ErrorKind::JobFailed | ErrorKind::Timeout),
    };
    cleanup.active |= ours;
    started.map_err(|e| match e.kind() {
        ErrorKind::UnitExists => already_exists(unit, "started by another run meanwhile"),
        _ => bus_failure("starting the scope", e),
    })?;
    // The driver follows the running unit's cgroup; on cgroup v1 the first process
    // also joins the hierarchies systemd does not manage.
    backend.manager.create()?;
    backend.manager.add_pid(pid)?;
    // Where systemd put it: it escapes some names (`cpu.slice` is `/_cpu.slice`).
    let cgroup = client
        .unit_property(unit.name(), UnitKind::Scope.interface(), "ControlGroup")
        .ok();
    Ok(cgroup.and_then(|c| cgroups_core::CgroupPath::parse(&c).ok()))
}

/// Runs the command in a new scope and returns the exit status for cgctl.
pub fn run(args: &RunArgs, resources: &Resources) -> Result<i32> {
    if args.keep {
        return Err(Failure::usage(
            "--keep: systemd stops a scope and removes its cgroup when its last process \
             exits, so there is nothing to keep (use --driver cgroupfs to keep a cgroup)",
        ));
    }
    let slice = slice_of(args.parent.as_deref())?;
    let name = args.name.clone().unwrap_or_else(unique_name);
    let unit = scope_for(&slice, &name)?;
    refuse_running(&Client::new(Bus::System), &unit)?;
    let mut backend = backend::open_unit(unit.clone(), &args.placement)?;
    let manager = backend.manager.as_ref();

    // Caught from here on: cgctl never dies of them while it holds the unit.
    let caught = crate::signals::catch()?;
    let mut cleanup = Cleanup {
        manager,
        ends: Ends::Unit,
        active: false,
        done: false,
    };
    let mut command = Held::spawn(&args.command)?;
    let started = start_scope(&backend, &unit, command.pid(), resources, &mut cleanup);
    if let Some(path) = started? {
        backend.path = path;
    }
    let keeper = Held::keeper(unit.name())?;
    let limited = manager
        .add_pid(keeper.pid())
        .and_then(|()| match resources.is_empty() {
            true => Ok(()),
            false => manager.set(resources),
        });
    if let Err(e) = limited {
        // The gated helper killed meanwhile (a memory limit below what it holds, a
        // Ctrl-C) empties the scope and systemd removes it under our feet: the run
        // ends as a command killed at its start, not as cgctl's failure.
        if !command.killed_at_gate() {
            return Err(e.into());
        }
        log::debug!("the gated helper was killed while the scope was set up: {e}");
    }

    let started = Instant::now();
    match command.release() {
        Ok(()) => {}
        // Killed at the gate (a Ctrl-C to the foreground group): its status is the
        // run's, as if the command had been killed at its start.
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::PIPE.raw_os_error()) => {
            log::debug!("the gated helper was gone before the gate opened")
        }
        Err(e) => {
            let errno = e.raw_os_error();
            let _ = command.wait();
            let f = Failure::usage(format!("starting {:?}: {e}", args.command[0]));
            return Err(exec_failure(errno, f));
        }
    }
    let forwarder = crate::signals::forward_to(caught, command.pid());
    let status = command
        .wait()
        .map_err(|e| Failure::usage(format!("waiting for the command: {e}")));
    forwarder.stop();
    let status = status?;
    let wall = started.elapsed();

    let usage = summary::read(&backend);
    cleanup.finish()?;
    drop(keeper);

    let code = exit_code(status);
    let report = Summary::new(
        &backend,
        &args.command,
        wall,
        status,
        code,
        usage,
        resources,
    );
    if args.json {
        crate::out(&format!("{}\n", report.to_json(None)));
    } else {
        eprint!("{}", report.to_text(None));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_slice_is_cgctl_slice() {
        assert_eq!(slice_of(None).unwrap(), "cgctl.slice");
    }

    #[test]
    fn parent_slice_is_validated_as_systemd_does() {
        assert_eq!(
            slice_of(Some("jobs-batch.slice")).unwrap(),
            "jobs-batch.slice"
        );
        for bad in ["jobs", "a--b.slice", "-a.slice", ".slice"] {
            let f = slice_of(Some(bad)).unwrap_err();
            assert!(f.message.contains(bad), "{}", f.message);
        }
    }

    #[test]
    fn parent_characters_systemd_refuses_are_refused_naming_the_character() {
        for (bad, c) in [
            ("a b.slice", "' '"),
            ("a@b.slice", "'@'"),
            ("a\nb.slice", "'\\n'"),
        ] {
            let f = slice_of(Some(bad)).unwrap_err();
            assert!(f.message.contains(c), "{}", f.message);
        }
        let long = format!("{}.slice", "a".repeat(250));
        assert!(slice_of(Some(&long)).unwrap_err().message.contains("255"));
        assert!(slice_of(Some("a\\x2db.slice")).is_ok());
    }

    #[test]
    fn a_cgroup_path_as_parent_is_refused_with_a_hint() {
        let f = slice_of(Some("/cgctl")).unwrap_err();
        assert_eq!(f.code, crate::failure::EXIT_CGCTL);
        assert!(f.hint.unwrap().contains("--driver cgroupfs"));
    }

    #[test]
    fn the_scope_is_named_after_the_run_and_placed_in_the_slice() {
        let unit = scope_for("jobs-batch.slice", "nightly").unwrap();
        assert_eq!(unit.name(), "cgctl-nightly.scope");
        assert_eq!(
            unit.cgroup_path(),
            "/jobs.slice/jobs-batch.slice/cgctl-nightly.scope"
        );
    }

    #[test]
    fn names_systemd_refuses_or_slices_are_refused() {
        assert!(scope_for("cgctl.slice", "a b").is_err());
        assert!(scope_for("cgctl.slice", "x.slice").is_err());
        assert!(scope_for("cgctl.slice", "").is_err());
    }

    #[test]
    fn the_scope_starts_with_oom_policy_continue_unless_the_group_kill_is_asked() {
        let start = start_resources(&Resources::default());
        assert_eq!(start.memory.oom_group, Some(false));
        let props = unit_properties(
            &scope_for("cgctl.slice", "x").unwrap(),
            Some(7),
            &start,
            CgroupVersion::V2,
            SystemdVersion(257),
        );
        let policy = props.iter().find(|p| p.name == "OOMPolicy").unwrap();
        assert_eq!(
            policy.value,
            cgroups_systemd::property::Value::Str("continue".to_owned())
        );
        let mut group = Resources::default();
        group.memory.oom_group = Some(true);
        assert_eq!(start_resources(&group).memory.oom_group, Some(true));
        let mut r = Resources::default();
        r.pids_max = Some(cgroups_core::Limit::Value(5));
        assert!(start_resources(&r).pids_max.is_none(), "limits come later");
    }
}
