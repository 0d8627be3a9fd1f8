//! [`Manager::kill`](cgroups_core::Manager::kill): empty the cgroup with SIGKILL.
//!
//! Each round: freeze the cgroup (when the freezer hierarchy is joined) so that no
//! task can fork while the list is read; list the processes of the cgroup and its
//! descendants in every hierarchy; send SIGKILL to each; thaw (a frozen task dies
//! only once thawed); wait up to 100 ms for the tree to empty. At most 50 rounds,
//! then [`ErrorKind::Timeout`].
//!
//! Before anything is frozen or signalled, the kill is refused
//! ([`ErrorKind::InvalidPath`]) on a hierarchy root (every process of the machine)
//! and when the calling process is in the tree: its pid is listed in a
//! `cgroup.procs` of the tree in any hierarchy, or the calling thread in a `tasks`
//! of the freezer hierarchy's tree (it would freeze itself and never thaw).
//!
//! Signals go through a pidfd (pidfd_open(2), pidfd_send_signal(2)), which is opened
//! from the listed pid and used only if the pid is still listed after the pidfd
//! exists: so a pid that was recycled between the listing and the signal is never
//! hit. Where pidfd_open(2) is ENOSYS (before Linux 5.3) kill(2) is used, which has
//! that small recycling window.

use std::collections::BTreeSet;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use cgroups_core::{CgroupDir, Error, ErrorKind, Result};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, Signal};

use crate::controller::freezer::{self, FreezerFiles};
use crate::manager::FsManager;

const ROUNDS: u32 = 50;
const ROUND_WAIT: Duration = Duration::from_millis(100);
const POLL: Duration = Duration::from_millis(5);

/// Kills every process of the cgroup tree and waits until it is empty.
pub(crate) fn kill(m: &FsManager) -> Result<()> {
    m.refuse_root("kill every process of", false)?;
    let freezer = match m.hierarchy_for("freezer").map(|(_, h)| h.open()) {
        Ok(Ok(dir)) => Some(dir),
        Ok(Err(e)) if !e.is_not_found() => return Err(e),
        _ => None,
    };
    refuse_if_caller_inside(m, freezer.as_ref())?;
    for _ in 0..ROUNDS {
        let frozen = match &freezer {
            Some(dir) => match freezer::freeze(&FreezerFiles(dir)) {
                Ok(()) => true,
                Err(e) => {
                    log::debug!("kill: freezing failed, killing unfrozen: {e}");
                    false
                }
            },
            None => false,
        };
        let listed = m.pids_everywhere().and_then(|pids| {
            if !pids.is_empty() {
                signal_all(&pids, || m.pids_everywhere(), Signal::KILL)?;
            }
            Ok(pids)
        });
        // Thaw even when listing or signalling failed: never leave it frozen.
        let thawed = match (&freezer, frozen) {
            (Some(dir), true) => freezer::thaw(&FreezerFiles(dir)),
            _ => Ok(()),
        };
        let pids = listed?;
        thawed?;
        if pids.is_empty() || wait_empty(m)? {
            return Ok(());
        }
    }
    let left = m.pids_everywhere()?;
    Err(Error::new(
        ErrorKind::Timeout,
        format!(
            "processes of {} survived {ROUNDS} rounds of SIGKILL: {left:?}",
            m.config.path
        ),
    )
    .with_hint("a process in uninterruptible sleep cannot die until its I/O completes"))
}

/// Refuses when this process is in the tree in any hierarchy (`cgroup.procs` lists
/// the thread-group leader, as `/proc/self/cgroup` shows it), or when the calling
/// thread is in the freezer hierarchy's tree (`tasks`).
fn refuse_if_caller_inside(m: &FsManager, freezer: Option<&CgroupDir>) -> Result<()> {
    let me = rustix::process::getpid().as_raw_pid().unsigned_abs();
    let tid = rustix::thread::gettid().as_raw_pid().unsigned_abs();
    let process_inside = m.pids_everywhere()?.contains(&me);
    let thread_inside = match freezer.map(CgroupDir::all_threads) {
        Some(Ok(tids)) => tids.contains(&tid),
        Some(Err(e)) if e.is_not_found() => false,
        Some(Err(e)) => return Err(e),
        None => false,
    };
    if !process_inside && !thread_inside {
        return Ok(());
    }
    let who = match process_inside {
        true => format!("process {me}"),
        false => format!("thread {tid}"),
    };
    Err(Error::new(
        ErrorKind::InvalidPath,
        format!(
            "refusing to kill {}: the calling {who} is inside it (it would freeze or \
             kill itself)",
            m.config.path
        ),
    )
    .with_value(me.to_string())
    .with_hint("call kill from a process outside the cgroup tree"))
}

fn wait_empty(m: &FsManager) -> Result<bool> {
    let deadline = Instant::now() + ROUND_WAIT;
    loop {
        if m.pids_everywhere()?.is_empty() {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(POLL);
    }
}

/// How a listed process is reached.
enum Target {
    Pidfd(OwnedFd),
    /// pidfd_open(2) is not available: kill(2).
    Pid,
}

/// Sends `signal` to each of `pids` that `relist` still reports once its pidfd is
/// open. Processes that are gone already are skipped.
pub(crate) fn signal_all(
    pids: &BTreeSet<u32>,
    relist: impl FnOnce() -> Result<BTreeSet<u32>>,
    signal: Signal,
) -> Result<()> {
    let mut targets = Vec::with_capacity(pids.len());
    for &raw in pids {
        let Some(pid) = to_pid(raw) else { continue };
        match open_pidfd(pid) {
            Ok(fd) => targets.push((raw, pid, Target::Pidfd(fd))),
            Err(Errno::SRCH) => {}
            Err(Errno::NOSYS) => targets.push((raw, pid, Target::Pid)),
            Err(e) => return Err(signal_error("pidfd_open", raw, e)),
        }
    }
    let still = relist()?;
    for (raw, pid, target) in targets {
        if !still.contains(&raw) {
            continue;
        }
        let sent = match &target {
            Target::Pidfd(fd) => rustix::process::pidfd_send_signal(fd, signal),
            Target::Pid => rustix::process::kill_process(pid, signal),
        };
        match sent {
            Ok(()) | Err(Errno::SRCH) => {}
            Err(e) => return Err(signal_error("sending a signal", raw, e)),
        }
    }
    Ok(())
}

fn to_pid(raw: u32) -> Option<Pid> {
    Pid::from_raw(i32::try_from(raw).ok()?)
}

fn open_pidfd(pid: Pid) -> std::result::Result<OwnedFd, Errno> {
    #[cfg(test)]
    if testing::FORCE_KILL_SYSCALL.with(std::cell::Cell::get) {
        return Err(Errno::NOSYS);
    }
    rustix::process::pidfd_open(pid, PidfdFlags::empty())
}

fn signal_error(what: &str, pid: u32, errno: Errno) -> Error {
    Error::new(
        cgroups_core::ErrorKind::Io,
        format!("{what} for process {pid} failed"),
    )
    .with_value(pid.to_string())
    .with_errno(errno.raw_os_error())
    .with_kind(match errno {
        Errno::PERM | Errno::ACCESS => ErrorKind::PermissionDenied,
        _ => ErrorKind::Io,
    })
}

#[cfg(test)]
pub(crate) mod testing {
    use std::cell::Cell;

    thread_local! {
        /// Forces the kill(2) fallback, as if pidfd_open(2) were ENOSYS.
        pub(crate) static FORCE_KILL_SYSCALL: Cell<bool> = const { Cell::new(false) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    fn sleeper() -> Child {
        Command::new("sleep")
            .arg("30")
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn sleep")
    }

    fn killed_by_sigkill(child: &mut Child) -> bool {
        use std::os::unix::process::ExitStatusExt;
        child.wait().expect("wait").signal() == Some(9)
    }

    #[test]
    fn listed_process_is_killed_through_a_pidfd() {
        let mut child = sleeper();
        let pids = BTreeSet::from([child.id()]);
        signal_all(&pids, || Ok(pids.clone()), Signal::KILL).unwrap();
        assert!(killed_by_sigkill(&mut child));
    }

    #[test]
    fn listed_process_is_killed_with_kill_when_pidfd_is_missing() {
        let mut child = sleeper();
        let pids = BTreeSet::from([child.id()]);
        testing::FORCE_KILL_SYSCALL.with(|f| f.set(true));
        let result = signal_all(&pids, || Ok(pids.clone()), Signal::KILL);
        testing::FORCE_KILL_SYSCALL.with(|f| f.set(false));
        result.unwrap();
        assert!(killed_by_sigkill(&mut child));
    }

    #[test]
    fn process_no_longer_listed_is_not_signalled() {
        let mut child = sleeper();
        let pids = BTreeSet::from([child.id()]);
        signal_all(&pids, || Ok(BTreeSet::new()), Signal::KILL).unwrap();
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child was signalled"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn a_pid_that_cannot_exist_is_skipped() {
        // Above the largest possible pid_max (2^22): never a live process.
        let pids = BTreeSet::from([4_194_305, u32::MAX]);
        signal_all(&pids, || Ok(pids.clone()), Signal::KILL).unwrap();
        testing::FORCE_KILL_SYSCALL.with(|f| f.set(true));
        let result = signal_all(&pids, || Ok(pids.clone()), Signal::KILL);
        testing::FORCE_KILL_SYSCALL.with(|f| f.set(false));
        result.unwrap();
    }
}
