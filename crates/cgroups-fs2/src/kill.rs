//! Killing every process of a cgroup tree and waiting until it is empty.
//!
//! With `cgroup.kill` (Linux 5.14) one write of `1` kills the whole subtree in the
//! kernel, race-free. Without it: freeze the tree (so nothing forks), SIGKILL every
//! process through a pidfd, wait for the pidfds to report the exits, repeat until
//! the tree is empty, thaw. Then, in both cases, wait for `populated 0` in
//! `cgroup.events`. All waits are `poll(2)`s on the kernel's notifications, bounded.

use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use cgroups_core::{CgroupDir, Error, ErrorKind, Result};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, Signal, kill_process, pidfd_open, pidfd_send_signal};

use crate::events::{POLL_SLICE, wait_for};
use crate::freezer;

/// How long a kill may take in all (freeze, signals, empty cgroup).
pub(crate) const KILL_BUDGET: Duration = Duration::from_secs(10);

/// How [`kill`] may work; tests force the fallbacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KillPolicy {
    /// Use signals even where `cgroup.kill` exists.
    pub(crate) signals: bool,
    /// Signal with `kill(2)` instead of pidfds (as on kernels before 5.3).
    pub(crate) no_pidfd: bool,
}

/// Kills every process of `dir` and its descendants, then waits for `populated 0`.
///
/// # Errors
/// [`ErrorKind::InvalidPath`] when the calling process itself is in the tree (it
/// would kill itself); [`ErrorKind::Timeout`] when the tree does not empty in time.
pub(crate) fn kill(dir: &CgroupDir, policy: KillPolicy) -> Result<()> {
    let deadline = Instant::now() + KILL_BUDGET;
    let me = rustix::process::getpid().as_raw_pid() as u32;
    if dir.all_pids()?.contains(&me) {
        let msg = "refusing to kill a cgroup that contains the calling process";
        return Err(Error::new(ErrorKind::InvalidPath, msg)
            .with_path(dir.path())
            .with_value(me.to_string()));
    }
    if !policy.signals && !policy.no_pidfd && dir.exists("cgroup.kill") {
        dir.write("cgroup.kill", "1")?;
    } else {
        log::debug!(
            "killing {} with signals (no cgroup.kill)",
            dir.path().display()
        );
        kill_with_signals(dir, deadline, !policy.no_pidfd)?;
    }
    let left = deadline.saturating_duration_since(Instant::now());
    match wait_for(dir, "populated", "0", left) {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

fn kill_with_signals(dir: &CgroupDir, deadline: Instant, pidfds: bool) -> Result<()> {
    let budget = deadline.saturating_duration_since(Instant::now());
    let frozen = match freezer::freeze(dir, budget / 2) {
        Ok(()) => true,
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ControllerUnavailable | ErrorKind::Timeout
            ) =>
        {
            log::warn!("killing without a frozen cgroup: {e}");
            false
        }
        Err(e) => return Err(e),
    };
    let result = signal_until_empty(dir, deadline, pidfds);
    // A tree that could not freeze (timeout) may still be partly frozen: thaw anyway.
    let thawed = freezer::thaw(dir);
    match (frozen, result) {
        (_, Err(e)) => Err(e),
        (_, Ok(())) => match thawed {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        },
    }
}

fn signal_until_empty(dir: &CgroupDir, deadline: Instant, pidfds: bool) -> Result<()> {
    loop {
        let pids = dir.all_pids()?;
        if pids.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let msg = format!("processes still alive after SIGKILL: {pids:?}");
            return Err(Error::new(ErrorKind::Timeout, msg).with_path(dir.path()));
        }
        let handles: Vec<(u32, Option<OwnedFd>)> = pids
            .iter()
            .map(|p| (*p, open(*p).filter(|_| pidfds)))
            .collect();
        // A pid read from cgroup.procs may have been reused before pidfd_open; only
        // signal processes that are still listed now that we hold their pidfds.
        let still = dir.all_pids()?;
        for (pid, fd) in handles.iter().filter(|(p, _)| still.contains(p)) {
            send_kill(*pid, fd.as_ref());
        }
        let fds: Vec<&OwnedFd> = handles.iter().filter_map(|(_, fd)| fd.as_ref()).collect();
        match fds.is_empty() {
            true => wait_for_populated_change(dir, deadline),
            false => wait_for_exits(&fds, deadline),
        }
    }
}

/// `pidfd_open(2)`; `None` where the kernel has no pidfds (ENOSYS), for a thread id
/// of a threaded cgroup (EINVAL) or a process already gone (ESRCH).
fn open(pid: u32) -> Option<OwnedFd> {
    let pid = Pid::from_raw(i32::try_from(pid).ok()?)?;
    pidfd_open(pid, PidfdFlags::empty()).ok()
}

/// SIGKILL through the pidfd, or `kill(2)` without one. A process that is already
/// gone (ESRCH) is what we wanted.
fn send_kill(pid: u32, fd: Option<&OwnedFd>) {
    let result = match fd {
        Some(fd) => pidfd_send_signal(fd, Signal::KILL),
        None => match i32::try_from(pid).ok().and_then(Pid::from_raw) {
            Some(pid) => kill_process(pid, Signal::KILL),
            None => Ok(()),
        },
    };
    match result {
        Ok(()) | Err(Errno::SRCH) => {}
        Err(e) => log::warn!("SIGKILL to process {pid} failed: {e}"),
    }
}

/// Without pidfds: waits (one slice at most) for `cgroup.events` to say the tree
/// is empty; the loop then reads the processes again.
fn wait_for_populated_change(dir: &CgroupDir, deadline: Instant) {
    let slice = deadline
        .saturating_duration_since(Instant::now())
        .min(POLL_SLICE);
    if let Err(e) = wait_for(dir, "populated", "0", slice) {
        log::debug!("tree not empty yet: {e}");
    }
}

/// Waits until every pidfd reports its process's exit (POLLIN), or one slice.
fn wait_for_exits(fds: &[&OwnedFd], deadline: Instant) {
    let slice = deadline
        .saturating_duration_since(Instant::now())
        .min(POLL_SLICE);
    let end = Instant::now() + slice;
    let mut pending: Vec<&OwnedFd> = fds.to_vec();
    while !pending.is_empty() {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        let timeout = Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: i64::from(left.subsec_nanos()),
        };
        let mut polls: Vec<PollFd<'_>> = pending
            .iter()
            .map(|fd| PollFd::new(*fd, PollFlags::IN))
            .collect();
        match poll(&mut polls, Some(&timeout)) {
            Ok(0) => return,
            Ok(_) | Err(Errno::INTR) => {}
            Err(_) => return,
        }
        let done: Vec<bool> = polls.iter().map(|p| !p.revents().is_empty()).collect();
        let mut i = 0;
        pending.retain(|_| {
            i += 1;
            !done[i - 1]
        });
    }
}
