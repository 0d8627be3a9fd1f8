//! Killing on the real kernel: `cgroup.kill`, the freeze + SIGKILL fallback with
//! and without pidfds, and `destroy` refusing a populated cgroup.

use std::time::Duration;

use cgroups_core::{ErrorKind, FreezerState, Manager};
use cgroups_fs2::Fs2Manager;
use ktest::{Failed, ensure, ensure_eq};

use crate::common::{Case, case};
use crate::kids::{Kids, Mode, wait_until};

/// Starts a fork loop and moves it into `sub` of `c` (`""` = the case itself).
pub fn start_fork_loop(c: &Case, kids: &mut Kids, sub: &str) -> Result<u32, Failed> {
    let top = c.manager("")?;
    let (pid, _) = kids.spawn(Mode::ForkLoop, &c.name)?;
    match sub.is_empty() {
        true => top.add_pid(pid)?,
        false => top.add_pid_to(sub, pid)?,
    }
    Ok(pid)
}

/// Starts a fork loop in the case's cgroup and waits until it has forked.
fn forking_loop(c: &Case, kids: &mut Kids, m: &Fs2Manager) -> Result<u32, Failed> {
    let pid = start_fork_loop(c, kids, "")?;
    wait_until(Duration::from_secs(10), "forked children", || {
        m.pids().is_ok_and(|p| p.len() >= 3)
    })?;
    Ok(pid)
}

/// Kills the cgroup of `m` and checks that no task is left in it or below.
fn kill_leaves_no_task(m: &Fs2Manager) -> Result<(), Failed> {
    m.kill()?;
    ensure!(m.all_pids()?.is_empty());
    Ok(())
}

/// Checks that the fork loops `pids` died of SIGKILL and that `destroy` then removes
/// the case's cgroup.
fn killed_then_destroyed(
    c: &Case,
    kids: &mut Kids,
    m: &Fs2Manager,
    pids: &[u32],
) -> Result<(), Failed> {
    for &pid in pids {
        ensure_eq!(kids.wait_signal(pid)?, Some(9), "fork loop {pid}");
    }
    m.destroy()?;
    ensure!(!c.exists("")?);
    Ok(())
}

pub fn kill_with_cgroup_kill() -> Result<(), Failed> {
    let c = case("kill")?;
    let mut kids = Kids::default();
    let m = c.manager("")?;
    m.create()?;
    let pid = forking_loop(&c, &mut kids, &m)?;

    kill_leaves_no_task(&m)?;
    ensure_eq!(
        c.read("", "cgroup.events")?.lines().next(),
        Some("populated 0")
    );
    killed_then_destroyed(&c, &mut kids, &m, &[pid])
}

pub fn kill_fallback() -> Result<(), Failed> {
    let c = case("killfb")?;
    let mut kids = Kids::default();
    let m = c.manager("")?.force_kill_fallback(true);
    m.create()?;
    c.manager("sub")?.create()?;
    let top_pid = start_fork_loop(&c, &mut kids, "")?;
    let sub_pid = start_fork_loop(&c, &mut kids, "sub")?;
    wait_until(
        Duration::from_secs(10),
        "forked children in both cgroups",
        || {
            let all = m.all_pids().unwrap_or_default();
            all.len() >= 6 && all.contains(&sub_pid)
        },
    )?;

    kill_leaves_no_task(&m)?;
    ensure_eq!(m.freezer_state()?, FreezerState::Thawed);
    killed_then_destroyed(&c, &mut kids, &m, &[top_pid, sub_pid])
}

pub fn kill_no_pidfd() -> Result<(), Failed> {
    let c = case("killnopidfd")?;
    let mut kids = Kids::default();
    let m = c.manager("")?.force_kill_without_pidfd(true);
    m.create()?;
    let pid = forking_loop(&c, &mut kids, &m)?;
    kill_leaves_no_task(&m)?;
    ensure_eq!(m.freezer_state()?, FreezerState::Thawed);
    killed_then_destroyed(&c, &mut kids, &m, &[pid])
}

pub fn destroy_populated() -> Result<(), Failed> {
    let c = case("busy")?;
    let mut kids = Kids::default();
    let m = c.manager("")?;
    m.create()?;
    let (pid, _) = kids.spawn(Mode::Heartbeat, &c.name)?;
    m.add_pid(pid)?;
    let err = m
        .destroy()
        .err()
        .ok_or("destroy of a populated cgroup succeeded")?;
    ensure_eq!(err.kind(), ErrorKind::Busy);
    ensure!(c.exists("")?);
    m.kill_and_destroy()?;
    ensure!(!c.exists("")?);
    ensure_eq!(kids.wait_signal(pid)?, Some(9));
    Ok(())
}

/// Kill (through `cgroup.kill`, or with `fallback` the freeze + SIGKILL path) and
/// destroy a tree that has a sub-cgroup whose name is not UTF-8
/// (`mkdir "$(printf 'bad\xff')"`), next to a sub-cgroup running a heartbeat.
fn kill_past_a_raw_name(tag: &str, fallback: bool) -> Result<(), Failed> {
    use std::os::unix::ffi::OsStrExt;
    let c = case(tag)?;
    let mut kids = Kids::default();
    let m = c.manager("")?.force_kill_fallback(fallback);
    m.create()?;
    c.manager("a")?.create()?;
    let raw = c.dir.join(std::ffi::OsStr::from_bytes(b"bad\xff"));
    rustix::fs::mkdir(&raw, rustix::fs::Mode::from_raw_mode(0o755))?;
    let (pid, _) = kids.spawn(Mode::Heartbeat, &c.name)?;
    m.add_pid_to("a", pid)?;
    ensure_eq!(m.all_pids()?, [pid]);

    m.kill()?;
    ensure_eq!(kids.wait_signal(pid)?, Some(9));
    m.destroy()?;
    ensure!(!c.exists("")?, "{} survived destroy", c.dir.display());
    Ok(())
}

pub fn cgroup_kill_past_a_raw_name() -> Result<(), Failed> {
    kill_past_a_raw_name("rawkill", false)
}

pub fn kill_fallback_past_a_raw_name() -> Result<(), Failed> {
    kill_past_a_raw_name("rawkillfb", true)
}
