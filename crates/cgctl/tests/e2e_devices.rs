//! End-to-end tests of `cgctl run --device-allow/--device-deny/--default-devices`
//! on this machine's kernel (ktest harness).
//!
//! On the hybrid host `cgctl run` uses the v1 driver, so the rules go to the v1
//! devices controller; the eBPF path of cgroup v2 is tested in `cgroups-fs2`. Each
//! run sits below a uniquely named `--parent` that a guard removes from every
//! hierarchy; `--controllers devices,freezer` leaves out memory (no process may
//! join a v1 memory cgroup on the host).
// Reading back what cgctl wrote and listing a test tree, as a person would.
#![allow(clippy::disallowed_methods)]

mod common;

use std::process::Output;

use common::{cgctl, ensure_exit, parent, run_args, text};
use ktest::{Failed, Need, ensure, ensure_eq};

/// The v1 hierarchies the runs join: devices, and freezer for cleanup (never memory).
const DEVICES_AND_FREEZER: &str = "devices,freezer";

/// `cgctl run --parent P --controllers DEVICES_AND_FREEZER FLAGS -- sh -c SCRIPT`.
fn run_sh(parent: &str, flags: &[&str], script: &str) -> Result<Output, Failed> {
    cgctl(&run_args(
        parent,
        DEVICES_AND_FREEZER,
        flags,
        &["sh", "-c", script],
    ))
}

fn succeeds(parent: &str, flags: &[&str], script: &str) -> Result<(), Failed> {
    let out = run_sh(parent, flags, script)?;
    ensure_exit(&format!("{flags:?} {script:?}"), &out, 0)
}

/// The command fails because the kernel refused to open a device (not because
/// cgctl failed: that would be 125).
fn refused(parent: &str, flags: &[&str], script: &str) -> Result<(), Failed> {
    let out = run_sh(parent, flags, script)?;
    let err = text(&out.stderr);
    let code = out.status.code();
    ensure!(
        code.is_some_and(|c| c != 0 && c != 125),
        "{flags:?} {script:?} exited {code:?}: {err}"
    );
    ensure!(err.contains("ermitted"), "no EPERM message: {err}");
    Ok(())
}

fn device_deny_null_makes_writing_to_dev_null_fail() -> Result<(), Failed> {
    let p = parent("e2e-devdeny");
    let deny = ["--device-deny", "c 1:3 rwm"];
    refused(&p.name, &deny, "echo x > /dev/null")?;
    succeeds(&p.name, &deny, "echo x > /dev/zero && : < /dev/zero")?;
    Ok(())
}

fn device_allow_alone_allows_only_those_devices() -> Result<(), Failed> {
    let p = parent("e2e-devallow");
    let allow = ["--device-allow", "c 1:5 rwm"];
    succeeds(&p.name, &allow, ": < /dev/zero")?;
    refused(&p.name, &allow, ": < /dev/null")?;
    refused(&p.name, &allow, ": < /dev/full")?;
    Ok(())
}

fn default_devices_allow_the_runtime_set_and_flags_refine_it() -> Result<(), Failed> {
    let p = parent("e2e-devdefault");
    succeeds(
        &p.name,
        &["--default-devices"],
        "echo x > /dev/null && : < /dev/zero && : < /dev/urandom",
    )?;
    let flags = ["--default-devices", "--device-deny", "c 1:3 rwm"];
    refused(&p.name, &flags, "echo x > /dev/null")?;
    succeeds(&p.name, &flags, ": < /dev/zero")?;
    Ok(())
}

fn without_device_flags_the_devices_cgroup_is_untouched() -> Result<(), Failed> {
    let p = parent("e2e-devnone");
    let out = run_sh(&p.name, &["--name", "kept", "--keep"], "true")?;
    ensure_exit("run", &out, 0)?;
    let list = ktest::mounts::v1_hierarchy("devices")
        .map(|h| h.mount_point.join(&p.name).join("kept/devices.list"))
        .ok_or("no devices hierarchy")?;
    let parent_list = list.parent().and_then(|d| d.parent()).ok_or("?")?;
    let inherited = std::fs::read_to_string(parent_list.join("devices.list"))?;
    ensure_eq!(std::fs::read_to_string(&list)?, inherited);
    let path = format!("/{}/kept", p.name);
    let destroy = cgctl(&["destroy", &path, "--controllers", DEVICES_AND_FREEZER])?;
    ensure_exit("destroy", &destroy, 0)?;
    Ok(())
}

fn a_wildcard_hole_is_refused_before_the_command_runs() -> Result<(), Failed> {
    let p = parent("e2e-devhole");
    let flags = ["--device-allow", "c *:* m", "--device-deny", "c 1:3 m"];
    let out = run_sh(&p.name, &flags, "echo ran")?;
    ensure_exit("run", &out, 125)?;
    ensure!(text(&out.stdout).is_empty(), "the command ran");
    ensure!(
        text(&out.stderr).contains("c *:* m"),
        "{}",
        text(&out.stderr)
    );
    Ok(())
}

fn main() {
    ktest::main(ktest::tests_needing(
        &[
            Need::Root,
            Need::V1Controller("devices"),
            Need::V1Controller("freezer"),
        ],
        &[
            (
                "device_deny_null_makes_writing_to_dev_null_fail",
                device_deny_null_makes_writing_to_dev_null_fail,
            ),
            (
                "device_allow_alone_allows_only_those_devices",
                device_allow_alone_allows_only_those_devices,
            ),
            (
                "default_devices_allow_the_runtime_set_and_flags_refine_it",
                default_devices_allow_the_runtime_set_and_flags_refine_it,
            ),
            (
                "without_device_flags_the_devices_cgroup_is_untouched",
                without_device_flags_the_devices_cgroup_is_untouched,
            ),
            (
                "a_wildcard_hole_is_refused_before_the_command_runs",
                a_wildcard_hole_is_refused_before_the_command_runs,
            ),
        ],
    ))
}
