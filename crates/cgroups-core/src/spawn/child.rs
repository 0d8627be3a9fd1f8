//! [`SpawnedChild`]: a process started by [`Spawn::start_in`](super::Spawn::start_in),
//! waited for and signalled through its pidfd.

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitOptions};

use crate::error::kind_of_errno;
use crate::{Error, ErrorKind, Result};

/// How a [`SpawnedChild`] got into its cgroup.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinMethod {
    /// `clone3(CLONE_INTO_CGROUP)`: created inside its cgroup2 directory.
    CloneIntoCgroup,
    /// `fork(2)`, then the child wrote `0` to every `cgroup.procs` before `execve(2)`.
    WriteBeforeExec,
}

/// A child process started inside a cgroup.
///
/// Like [`std::process::Child`], dropping it neither kills nor reaps the process: call
/// [`wait`](SpawnedChild::wait). It is waited for and signalled through a pidfd
/// (Linux 5.3), so a recycled pid can never be hit; on a kernel without pidfds it
/// falls back to the pid, which stays reserved until this handle reaps it.
#[derive(Debug)]
pub struct SpawnedChild {
    pid: u32,
    pidfd: Option<OwnedFd>,
    joined_by: JoinMethod,
    status: Option<ExitStatus>,
}

impl SpawnedChild {
    pub(super) fn new(pid: u32, pidfd: Option<OwnedFd>, joined_by: JoinMethod) -> SpawnedChild {
        SpawnedChild {
            pid,
            pidfd,
            joined_by,
            status: None,
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// How the process joined its cgroup.
    pub fn joined_by(&self) -> JoinMethod {
        self.joined_by
    }

    /// Waits for the process to exit and reaps it ([waitid(2)] with `P_PIDFD`, or
    /// `waitpid` without a pidfd). Once it has returned a status, later calls return
    /// the same status.
    ///
    /// # Errors
    ///
    /// The errno of the wait (`ECHILD` when someone else reaped the process, e.g. a
    /// `waitpid(-1)` elsewhere in this program).
    ///
    /// [waitid(2)]: https://man7.org/linux/man-pages/man2/waitid.2.html
    pub fn wait(&mut self) -> Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let status = loop {
            match self.wait_once() {
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(self.error("wait for the child", errno)),
                Ok(status) => break status,
            }
        };
        self.status = Some(status);
        Ok(status)
    }

    fn wait_once(&self) -> rustix::io::Result<ExitStatus> {
        let unexpected = || Errno::CHILD;
        match &self.pidfd {
            Some(pidfd) => {
                let id = WaitId::PidFd(pidfd.as_fd());
                let info =
                    rustix::process::waitid(id, WaitIdOptions::EXITED)?.ok_or_else(unexpected)?;
                let raw = match (info.exit_status(), info.terminating_signal()) {
                    (Some(code), _) => (code & 0xff) << 8,
                    (None, Some(signal)) if info.dumped() => signal | 0x80,
                    (None, Some(signal)) => signal,
                    (None, None) => return Err(unexpected()),
                };
                Ok(ExitStatus::from_raw(raw))
            }
            None => {
                let pid = Pid::from_raw(self.pid_i32()).ok_or_else(unexpected)?;
                let (_, status) = rustix::process::waitpid(Some(pid), WaitOptions::empty())?
                    .ok_or_else(unexpected)?;
                Ok(ExitStatus::from_raw(status.as_raw()))
            }
        }
    }

    /// Sends `signal` (a signal number such as 15 for `SIGTERM`) to the process
    /// ([pidfd_send_signal(2)], or `kill(2)` without a pidfd). Succeeds without doing
    /// anything once the process has exited or been reaped.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] for a number that is not a named signal (real-time
    /// signals are not supported); otherwise the errno of the call.
    ///
    /// [pidfd_send_signal(2)]: https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html
    pub fn kill(&self, signal: i32) -> Result<()> {
        let Some(sig) = Signal::from_named_raw(signal) else {
            return Err(
                Error::new(ErrorKind::InvalidValue, "not a named signal number")
                    .with_value(signal.to_string())
                    .with_hint("pass a standard signal such as 15 (SIGTERM) or 9 (SIGKILL)"),
            );
        };
        if self.status.is_some() {
            return Ok(());
        }
        let sent = match &self.pidfd {
            Some(pidfd) => rustix::process::pidfd_send_signal(pidfd, sig),
            None => match Pid::from_raw(self.pid_i32()) {
                Some(pid) => rustix::process::kill_process(pid, sig),
                None => Err(Errno::SRCH),
            },
        };
        match sent {
            Ok(()) | Err(Errno::SRCH) => Ok(()),
            Err(errno) => Err(self
                .error("send a signal to the child", errno)
                .with_value(signal.to_string())),
        }
    }

    fn pid_i32(&self) -> i32 {
        i32::try_from(self.pid).unwrap_or(0)
    }

    #[cold]
    fn error(&self, what: &str, errno: Errno) -> Error {
        let errno = errno.raw_os_error();
        Error::new(kind_of_errno(errno), format!("{what} (pid {})", self.pid)).with_errno(errno)
    }
}
