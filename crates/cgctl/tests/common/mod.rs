//! What the cgctl end-to-end test binaries share: the test parent and its guard, the
//! way to run the cgctl binary, and the needs of the host tests.
// Each test binary uses a part of it.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Output};

use ktest::{CleanupGuard, Failed, Need, TestCgroup, ensure_eq};

/// Every v1 hierarchy of the host except memory, as `--controllers` takes them.
pub const NO_MEMORY: &str = "cpu,cpuacct,cpuset,devices,freezer,blkio,pids,name=systemd";

/// What the host tests need: root and the v1 controllers they read or kill with.
pub const HOST: [Need; 5] = [
    Need::Root,
    Need::V1Controller("cpu"),
    Need::V1Controller("cpuacct"),
    Need::V1Controller("pids"),
    Need::V1Controller("freezer"),
];

/// A uniquely named test parent (`--parent`), removed from every hierarchy on drop.
pub struct Parent {
    /// The parent's name, one path component.
    pub name: String,
    _guard: CleanupGuard,
}

/// A unique parent name and a guard removing it from every hierarchy.
pub fn parent(tag: &str) -> Parent {
    let name = TestCgroup::name_for(tag);
    let paths: Vec<PathBuf> = ktest::mounts::hierarchies()
        .iter()
        .map(|h| h.mount_point.join(&name))
        .collect();
    Parent {
        _guard: ktest::cleanup_guard(paths),
        name,
    }
}

/// The cgctl binary: `CGCTL_BIN` (set in the VM tiers, where cargo's path does not
/// exist), else the one cargo built for this test.
pub fn cgctl_bin() -> OsString {
    std::env::var_os("CGCTL_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_cgctl").into())
}

/// Runs `cgctl ARGS` and waits for it.
pub fn cgctl(args: &[&str]) -> Result<Output, Failed> {
    Ok(Command::new(cgctl_bin()).args(args).output()?)
}

/// The arguments `run --driver cgroupfs --parent PARENT --controllers CONTROLLERS
/// FLAGS -- COMMAND`: these tests are the cgroupfs driver's, and `--driver auto`
/// would pick systemd where systemd is the init system (the systemd VM tiers).
pub fn run_args<'a>(
    parent: &'a str,
    controllers: &'a str,
    flags: &[&'a str],
    command: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "--driver",
        "cgroupfs",
        "--parent",
        parent,
        "--controllers",
        controllers,
    ];
    args.extend_from_slice(flags);
    args.push("--");
    args.extend_from_slice(command);
    args
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails unless the `what` command exited with `code`; the message shows its stderr.
pub fn ensure_exit(what: &str, out: &Output, code: i32) -> Result<(), Failed> {
    let err = text(&out.stderr);
    ensure_eq!(out.status.code(), Some(code), "{what}: {err}");
    Ok(())
}
