//! `Spawn::start_in` on the real kernel: clone3 into a fresh cgroup2 test cgroup, the
//! forced fork path, exec failures, exit statuses, signals and inherited descriptors.
//!
//! Every test works in its own `cgtest-<pid>-...` cgroup (ktest's `TestCgroup`,
//! removed on drop) and puts only its own children there. No v1 memory cgroup is
//! involved.
// The children write what they see into files of a temporary directory.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use cgroups_core::spawn::{JoinMethod, Spawn, SpawnedChild};
use cgroups_core::{ErrorKind, Manager, ProcCgroup};
use common::DirManager;
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};
use rustix::io::Errno;

mod common;

fn main() {
    let unified = |name, f: fn() -> Result<(), Failed>| {
        Test::new(name, f).needs(Need::Root).needs(Need::Unified)
    };
    ktest::main(vec![
        unified(
            "clone3_child_sees_the_test_cgroup_from_its_first_read",
            clone3_lands,
        ),
        unified("forced_fork_path_lands_in_the_same_cgroup", fork_path_lands),
        unified("exec_failures_report_the_errno_of_the_exec", exec_failures),
        unified("exit_codes_and_signals_are_reported_like_std", statuses),
        unified(
            "child_inherits_no_descriptor_that_std_would_not_pass",
            descriptors,
        ),
        unified(
            "cgroup_that_had_cgroup_kill_written_still_gets_the_command",
            after_kill,
        )
        .needs(Need::UnifiedFile("cgroup.kill")),
        Test::new(
            "host_kernel_kills_clone3_children_after_cgroup_kill",
            host_kill_quirk,
        )
        .needs(Need::Root)
        .needs(Need::Tier("host"))
        .needs(Need::UnifiedFile("cgroup.kill")),
        unified(
            "cgroup_spanning_v1_and_cgroup2_joins_by_the_fork_path",
            hybrid_manager,
        )
        .needs(Need::V1Controller("pids")),
    ])
}

/// Runs `f` with the clone3 path ruled out on this thread when `fork` is set.
fn with_fork_path<T>(fork: bool, f: impl FnOnce() -> T) -> T {
    let before = cgroups_core::testing::force_clone3_fallback(fork);
    let out = f();
    cgroups_core::testing::force_clone3_fallback(before);
    out
}

/// Starts `sh -c SCRIPT OUT` (the script writes to `$0`), adopts the child, waits and
/// returns how it joined and what it wrote.
fn run_script(
    cg: &TestCgroup,
    manager: &dyn Manager,
    script: &str,
) -> Result<(JoinMethod, String), Failed> {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("out");
    let mut child = Spawn::new("sh")
        .args(["-c", script])
        .arg(&out)
        .start_in(manager)?;
    cg.adopt_child(child.id())?;
    let status = child.wait()?;
    ensure!(status.success(), "{script:?}: {status}");
    Ok((child.joined_by(), std::fs::read_to_string(&out)?))
}

/// The cgroup2 path that `/proc/self/cgroup` text names.
fn unified_path(text: &str) -> Result<String, Failed> {
    let seen = ProcCgroup::parse(text)?;
    Ok(seen
        .unified
        .ok_or_else(|| format!("no 0:: line in {text:?}"))?)
}

const CAT_CGROUP: &str = "cat /proc/self/cgroup > \"$0\"";

fn clone3_lands() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("clone3")?;
    let manager = DirManager::unified(&cg)?;
    let (joined, text) = run_script(&cg, &manager, CAT_CGROUP)?;
    ensure_eq!(joined, JoinMethod::CloneIntoCgroup);
    ensure_eq!(unified_path(&text)?, format!("/{}", cg.name()));
    Ok(())
}

fn fork_path_lands() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("forkpath")?;
    let manager = DirManager::unified(&cg)?;
    let (joined, text) = with_fork_path(true, || run_script(&cg, &manager, CAT_CGROUP))?;
    ensure_eq!(joined, JoinMethod::WriteBeforeExec);
    ensure_eq!(unified_path(&text)?, format!("/{}", cg.name()));
    Ok(())
}

fn exec_failures() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("execfail")?;
    let manager = DirManager::unified(&cg)?;
    let tmp = tempfile::tempdir()?;
    let plain = tmp.path().join("not-executable");
    std::fs::write(&plain, "#!/bin/sh\n")?;
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644))?;

    for fork in [false, true] {
        let start = |spawn: &Spawn| with_fork_path(fork, || spawn.start_in(&manager));
        let missing = start(&Spawn::new("/nonexistent-cgtest/program")).err();
        let missing = missing.ok_or("started a missing program")?;
        ensure_eq!(
            missing.errno(),
            Some(Errno::NOENT.raw_os_error()),
            "{missing}"
        );
        ensure_eq!(missing.kind(), ErrorKind::NotFound);

        let unknown = start(&Spawn::new("no-such-program-cgtest")).err();
        let unknown = unknown.ok_or("started a program found in no PATH entry")?;
        ensure_eq!(
            unknown.errno(),
            Some(Errno::NOENT.raw_os_error()),
            "{unknown}"
        );

        let denied = start(&Spawn::new(&plain))
            .err()
            .ok_or("exec'd a 0644 file")?;
        ensure_eq!(
            denied.errno(),
            Some(Errno::ACCESS.raw_os_error()),
            "{denied}"
        );

        let mut bad_dir = Spawn::new("/bin/true");
        bad_dir.current_dir(tmp.path().join("missing-dir"));
        let bad_dir = start(&bad_dir)
            .err()
            .ok_or("chdir to a missing directory")?;
        ensure_eq!(
            bad_dir.errno(),
            Some(Errno::NOENT.raw_os_error()),
            "{bad_dir}"
        );
    }
    ensure_eq!(
        cg.procs(),
        Vec::<u32>::new(),
        "a failed child was left behind"
    );
    Ok(())
}

fn statuses() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("status")?;
    let manager = DirManager::unified(&cg)?;
    for fork in [false, true] {
        let start = |spawn: &Spawn| -> Result<SpawnedChild, Failed> {
            let child = with_fork_path(fork, || spawn.start_in(&manager))?;
            cg.adopt_child(child.id())?;
            Ok(child)
        };
        let mut exit7 = start(Spawn::new("sh").args(["-c", "exit 7"]))?;
        ensure_eq!(exit7.wait()?.code(), Some(7), "fork path: {fork}");
        ensure_eq!(
            exit7.wait()?.code(),
            Some(7),
            "a second wait changed the status"
        );

        let mut sleeper = start(Spawn::new("sleep").arg("30"))?;
        sleeper.kill(libc_sigterm())?;
        let status = sleeper.wait()?;
        ensure_eq!(status.signal(), Some(libc_sigterm()), "{status}");
        sleeper.kill(libc_sigterm())?; // reaped: nothing to do, no error

        let mut aborts = start(Spawn::new("sh").args(["-c", "kill -ABRT $$"]))?;
        let status = aborts.wait()?;
        ensure_eq!(status.signal(), Some(6), "{status}");

        let err = sleeper
            .kill(40)
            .err()
            .ok_or("accepted real-time signal 40")?;
        ensure_eq!(err.kind(), ErrorKind::InvalidValue);
    }
    Ok(())
}

fn libc_sigterm() -> i32 {
    rustix::process::Signal::TERM.as_raw()
}

/// The descriptor numbers `sh` sees in itself when started by `start`.
fn shell_fds(start: impl FnOnce(&Path) -> Result<(), Failed>) -> Result<BTreeSet<u32>, Failed> {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("fds");
    start(&out)?;
    let text = std::fs::read_to_string(&out)?;
    let fds = text.split_whitespace().map(str::parse::<u32>);
    Ok(fds.collect::<std::result::Result<_, _>>()?)
}

const LIST_FDS: &str = "ls /proc/$$/fd > \"$0\"";

fn descriptors() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("fds")?;
    let manager = DirManager::unified(&cg)?;
    let baseline = shell_fds(|out| {
        let status = std::process::Command::new("sh")
            .args(["-c", LIST_FDS])
            .arg(out)
            .status()?;
        ensure!(status.success());
        Ok(())
    })?;
    ensure!(
        baseline.is_superset(&BTreeSet::from([0, 1, 2])),
        "{baseline:?}"
    );
    for fork in [false, true] {
        let seen = shell_fds(|out| {
            let mut spawn = Spawn::new("sh");
            spawn.args(["-c", LIST_FDS]).arg(out);
            let mut child = with_fork_path(fork, || spawn.start_in(&manager))?;
            cg.adopt_child(child.id())?;
            ensure!(child.wait()?.success());
            Ok(())
        })?;
        ensure_eq!(seen, baseline, "fork path: {fork}");
    }
    Ok(())
}

/// Writes `cgroup.kill` of the (empty) test cgroup once.
fn write_kill(cg: &TestCgroup) -> Result<DirManager, Failed> {
    let manager = DirManager::unified(cg)?;
    manager.dir().write("cgroup.kill", "1")?;
    Ok(manager)
}

fn after_kill() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("afterkill")?;
    let manager = write_kill(&cg)?;
    let (_, text) = run_script(&cg, &manager, CAT_CGROUP)?;
    ensure_eq!(unified_path(&text)?, format!("/{}", cg.name()));
    Ok(())
}

/// The kernel fact that the module documentation describes: on the host, a clone3
/// child of a cgroup that had `cgroup.kill` written dies before it runs, so the
/// command reaches the cgroup by the fork path.
fn host_kill_quirk() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("killquirk")?;
    let manager = write_kill(&cg)?;
    let (joined, text) = run_script(&cg, &manager, CAT_CGROUP)?;
    ensure_eq!(joined, JoinMethod::WriteBeforeExec);
    ensure_eq!(unified_path(&text)?, format!("/{}", cg.name()));
    Ok(())
}

fn hybrid_manager() -> Result<(), Failed> {
    let unified = TestCgroup::new_unified("hybrid")?;
    let pids = TestCgroup::new_v1("pids", "hybrid")?;
    let manager = DirManager::unified(&unified)?.with_v1_pids(&pids)?;

    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("out");
    let mut spawn = Spawn::new("sh");
    spawn.args(["-c", CAT_CGROUP]).arg(&out);
    let mut child = spawn.start_in(&manager)?;
    unified.adopt_child(child.id())?;
    pids.adopt_child(child.id())?;
    ensure!(child.wait()?.success());
    ensure_eq!(child.joined_by(), JoinMethod::WriteBeforeExec);

    let text = std::fs::read_to_string(&out)?;
    let seen = ProcCgroup::parse(&text)?;
    ensure_eq!(seen.unified, Some(format!("/{}", unified.name())));
    ensure_eq!(
        seen.v1_path("pids"),
        Some(format!("/{}", pids.name()).as_str())
    );
    Ok(())
}
