//! `SystemdManager` on the user bus, as a real non-root user (the `systemd-vm` tier:
//! its start script creates the user `CGTEST_USER_UID`, lingering, so that
//! `user@UID.service` and its D-Bus session bus run). The test re-runs this binary
//! as that user (setgid/setuid, `XDG_RUNTIME_DIR` and `DBUS_SESSION_BUS_ADDRESS` of
//! the user); the child makes a transient scope with `Delegate=yes` under the user's
//! manager, puts its own child in it, sets a pids limit that the user manager
//! delegates, watches a fork loop stop at it, and destroys the scope.

mod common;

use std::os::unix::process::CommandExt;
use std::process::Command;

use cgroups_core::{Limit, Manager, Resources};
use cgroups_systemd::properties::CgroupVersion;
use cgroups_systemd::unit::UnitName;
use cgroups_systemd::{Bus, Client, ErrorKind, SystemdManager};
use common::{Gated, ManagerGuard, SCOPE, Sleeper, keyed, read};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

/// Set in the child: run [`as_the_user`] instead of the test list.
const CHILD: &str = "CGTEST_SD_USER_CHILD";

/// The user manager's cgroup for `uid` on systemd 252.
fn manager_cgroup(uid: u32) -> String {
    format!("/user.slice/user-{uid}.slice/user@{uid}.service")
}

/// The child's work, as the user. Every failure is an `Err` the parent prints.
fn as_the_user() -> Result<(), Failed> {
    let uid = rustix::process::getuid().as_raw();
    ensure!(uid != 0, "the child still runs as root");
    let user = Client::new(Bus::User);
    ensure_eq!(user.manager_property("ControlGroup")?, manager_cgroup(uid));
    let unit = UnitName::new(
        "user.slice",
        &format!("cgtest-{}-user", std::process::id()),
        "a",
    )?;
    let mgr = SystemdManager::new(unit.clone(), Bus::User)?;
    ensure_eq!(mgr.cgroup_version(), CgroupVersion::V2);
    let _guard = ManagerGuard(&mgr);
    let sleeper = Sleeper::start()?;
    mgr.add_pid(sleeper.pid())?;
    let dir = mgr.paths().remove("").ok_or("no unified path")?;
    let want = format!("{}{}", manager_cgroup(uid), unit.cgroup_path());
    ensure_eq!(dir, std::path::Path::new("/sys/fs/cgroup").join(&want[1..]));
    // Delegate=yes: the scope's directory belongs to the user.
    let owner = rustix::fs::stat(&dir)?.st_uid;
    ensure_eq!(owner, uid, "{} not delegated", dir.display());
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(8));
    mgr.set(&r)?;
    ensure_eq!(user.unit_property_u64(unit.name(), SCOPE, "TasksMax")?, 8);
    ensure_eq!(read(&dir.join("pids.max")).as_deref(), Some("8"));
    let script = "i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); done; wait";
    let mut forks = Gated::start(script)?;
    mgr.add_pid(forks.0.id())?;
    let status = forks.release()?;
    ensure!(!status.success(), "the fork loop finished under TasksMax=8");
    ensure!(keyed(&dir, "pids.events", "max")? >= 1);
    mgr.destroy()?;
    let gone = user.get_unit(unit.name());
    ensure!(
        matches!(&gone, Err(e) if e.kind() == ErrorKind::NoSuchUnit),
        "unit still loaded: {gone:?}"
    );
    ensure!(!dir.exists(), "{} left behind", dir.display());
    Ok(())
}

fn user_scope_with_delegated_pids_limit_under_the_user_manager() -> Result<(), Failed> {
    let uid: u32 = std::env::var("CGTEST_USER_UID")
        .map_err(|_| "CGTEST_USER_UID is not set: the tier made no user")?
        .parse()?;
    let runtime = format!("/run/user/{uid}");
    ensure!(
        std::path::Path::new(&runtime).join("bus").exists(),
        "{runtime}/bus missing: user@{uid}.service or its dbus.socket is not running"
    );
    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .env_clear()
        .env(CHILD, "1")
        .env("PATH", "/usr/bin:/bin")
        .env("XDG_RUNTIME_DIR", &runtime)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={runtime}/bus"),
        )
        .current_dir("/")
        .gid(uid)
        .uid(uid)
        .output()?;
    let text = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.success(),
        "as uid {uid}: {:?}: {text}",
        out.status
    );
    Ok(())
}

#[allow(clippy::print_stderr)] // the child reports its failure to the parent's test
fn main() {
    if std::env::var_os(CHILD).is_some() {
        let code = match as_the_user() {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("{e:?}");
                1
            }
        };
        std::process::exit(code);
    }
    ktest::main(vec![
        Test::new(
            "user_scope_with_delegated_pids_limit_under_the_user_manager",
            user_scope_with_delegated_pids_limit_under_the_user_manager,
        )
        .needs(Need::Root)
        .needs(Need::Systemd)
        .needs(Need::Tier("systemd-vm")),
    ])
}
