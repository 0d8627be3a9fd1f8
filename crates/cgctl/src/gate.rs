//! Processes held at a gate: how `run --driver systemd` gets the command into its
//! scope before the command's first instruction.
//!
//! A systemd scope starts with its first process, so that process must exist before
//! the scope, yet must not run the command yet. cgctl starts itself again as the
//! hidden `cgctl __hold --gate FD [--errors FD] [-- CMD...]`, which blocks reading the
//! gate pipe. cgctl starts the scope with that pid, sets the limits, then writes one
//! byte: the helper execs the command (same pid, already in the scope). The errors
//! pipe is close-on-exec in the helper: end of file means the exec happened, four
//! bytes are the errno of a failed exec. If cgctl closes the gate without the byte
//! (a failure, or cgctl died), the helper exits without running anything.
//!
//! The same helper without a command is the keeper: it waits for end of file on its
//! gate and holds the scope open after the command exits, so that the usage can
//! still be read (systemd stops a scope whose last process exited and removes its
//! cgroup). End of file on the keeper's gate means cgctl is done or gone (killed
//! with SIGKILL): the keeper then asks systemd to stop its scope (`--scope UNIT`),
//! which ends the command and whatever it started, so that nothing outlives cgctl.
//! It does so only when it is in that scope and the scope is cgctl's
//! (`cgctl-*.scope`): a keeper started by hand, or not yet moved into its scope,
//! stops nothing.
//!
//! `std::process::Command::spawn` waits until the child execs, so a child blocking
//! in `pre_exec` would deadlock it; exec'ing a helper that blocks afterwards does not.

#![allow(unsafe_code)]

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};

use clap::Args;
use rustix::io::{Errno, FdFlags};
use rustix::pipe::PipeFlags;

use crate::{Failure, Result};

/// The byte that lets the helper exec the command.
const GO: u8 = b'x';

/// Arguments of the hidden `cgctl __hold`.
#[derive(Debug, Args)]
pub struct HoldArgs {
    /// Read end of the gate pipe (inherited).
    #[arg(long, value_name = "FD")]
    pub gate: RawFd,
    /// Write end of the errors pipe (inherited); required with a command.
    #[arg(long, value_name = "FD")]
    pub errors: Option<RawFd>,
    /// A keeper: the scope it stops when its gate closes (see the module).
    #[arg(long, value_name = "UNIT", conflicts_with = "command")]
    pub scope: Option<String>,
    /// The command to exec once the gate opens (none: a keeper).
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// Takes ownership of an inherited pipe descriptor after checking that it is one.
/// cgctl passes descriptors from 3 up; 0, 1 and 2 are the command's stdio and are
/// refused, as is one descriptor given twice (it would be closed twice).
fn inherited_pipe(fd: RawFd) -> Result<OwnedFd> {
    if fd < 3 {
        return Err(Failure::usage(format!(
            "__hold is internal to `cgctl run`: descriptor {fd} is standard input, output \
             or error, not an inherited pipe"
        )));
    }
    let link = std::fs::read_link(format!("/proc/self/fd/{fd}")).ok();
    if !link.is_some_and(|l| l.to_string_lossy().starts_with("pipe:")) {
        return Err(Failure::usage(format!(
            "__hold is internal to `cgctl run`: descriptor {fd} is not an inherited pipe"
        )));
    }
    // SAFETY: /proc/self/fd shows `fd` open on a pipe in this process; it was
    // inherited from cgctl for this helper alone and nothing else here owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `cgctl __hold`: waits at the gate, then execs the command or exits.
pub fn hold(args: HoldArgs) -> Result<i32> {
    if args.errors == Some(args.gate) {
        return Err(Failure::usage(format!(
            "__hold is internal to `cgctl run`: --gate and --errors are both descriptor {}",
            args.gate
        )));
    }
    if !args.command.is_empty() && args.errors.is_none() {
        return Err(Failure::usage(
            "__hold is internal to `cgctl run`: a command needs --errors",
        ));
    }
    let gate = inherited_pipe(args.gate)?;
    let errors = args.errors.map(inherited_pipe).transpose()?;
    let mut byte = [0u8; 1];
    let opened = loop {
        match rustix::io::read(&gate, &mut byte) {
            Ok(n) => break n == 1 && byte[0] == GO,
            Err(Errno::INTR) => continue,
            Err(_) => break false,
        }
    };
    drop(gate);
    if let Some(scope) = &args.scope {
        stop_own_scope(scope);
        return Ok(0);
    }
    let (Some(program), Some(errors), true) = (args.command.first(), errors, opened) else {
        // A keeper released, or the run was abandoned before the command started.
        return Ok(0);
    };
    // Nothing of cgctl's reaches the command: the errors pipe and anything a library
    // opened without close-on-exec (rustbus' bus socket) close at the exec.
    if let Err(errno) = cloexec_from_3() {
        report(&errors, errno.raw_os_error());
        return Ok(crate::failure::EXIT_CGCTL);
    }
    let err = Command::new(program).args(&args.command[1..]).exec();
    let errno = err.raw_os_error().unwrap_or(Errno::IO.raw_os_error());
    report(&errors, errno);
    Ok(if errno == Errno::NOENT.raw_os_error() {
        crate::failure::EXIT_NOT_FOUND
    } else {
        crate::failure::EXIT_CANNOT_EXEC
    })
}

/// The keeper's last act when `scope` is cgctl's and this process is in its cgroup:
/// every process of the scope is killed (the keeper last), then systemd is asked to
/// stop it. cgctl has done both already when it ends normally; this is for cgctl
/// killed by SIGKILL, so that a command that ignores SIGTERM does not outlive it.
fn stop_own_scope(scope: &str) {
    if !crate::target::is_cgctl_scope_name(scope) {
        return;
    }
    let Ok(own) = cgroups_core::ProcCgroup::of_process(None) else {
        return;
    };
    let in_scope = |path: &&str| path.rsplit('/').next() == Some(scope);
    if let Some(unified) = own.unified.as_deref().filter(in_scope) {
        kill_others_in(unified);
    } else if !own.v1_path("systemd").is_some_and(|p| in_scope(&p)) {
        return;
    }
    let client = cgroups_systemd::Client::new(cgroups_systemd::Bus::System);
    // Nothing to report to: cgctl is gone, or stops the unit itself.
    let _ = client.stop_unit(scope);
}

/// SIGKILLs every process of the cgroup2 cgroup `path` except this one, until none
/// is left (a fork loop is outrun in a few rounds; at most 100).
fn kill_others_in(path: &str) {
    let Ok(hierarchies) = cgroups_core::Hierarchies::detect() else {
        return;
    };
    let Some(mount) = hierarchies.unified_mount() else {
        return;
    };
    let dir = cgroups_core::CgroupDir::open_root(mount)
        .and_then(|root| root.open_child(path.trim_start_matches('/')));
    let Ok(dir) = dir else { return };
    let me = std::process::id();
    for _ in 0..100 {
        let Ok(pids) = dir.pids() else { return };
        let others: Vec<u32> = pids.into_iter().filter(|&p| p != me).collect();
        if others.is_empty() {
            return;
        }
        for pid in others {
            if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Highest descriptor the fallback of [`cloexec_from_3`] marks.
const FALLBACK_MAX_FD: i32 = 1 << 16;

/// Marks every descriptor from 3 up close-on-exec: `close_range(3, ~0,
/// CLOSE_RANGE_CLOEXEC)` (Linux 5.11), else `fcntl(F_SETFD)` on each descriptor up to
/// the soft `RLIMIT_NOFILE` (at most 65536).
fn cloexec_from_3() -> std::result::Result<(), Errno> {
    // SAFETY: with CLOSE_RANGE_CLOEXEC the call closes nothing; it only sets the
    // close-on-exec flag of this process's descriptors 3 and above.
    let r = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3 as libc::c_uint,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .map_or(FALLBACK_MAX_FD, |n| n.min(FALLBACK_MAX_FD as u64) as i32);
    for fd in 3..limit {
        // SAFETY: F_SETFD only changes a flag; a descriptor that is not open is EBADF.
        let r = unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        if r == -1 && Errno::from_raw_os_error(errno()) != Errno::BADF {
            return Err(Errno::from_raw_os_error(errno()));
        }
    }
    Ok(())
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(Errno::IO.raw_os_error())
}

fn report(errors: &OwnedFd, errno: i32) {
    // Nothing to do if this fails: the exit status still tells cgctl.
    let _ = rustix::io::write(errors, &errno.to_le_bytes());
}

/// A child of cgctl held at its gate.
#[derive(Debug)]
pub struct Held {
    child: Child,
    gate: Option<OwnedFd>,
    errors: Option<OwnedFd>,
    released: bool,
    reaped: bool,
}

/// A pipe (read end, write end), both close-on-exec.
fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    rustix::pipe::pipe_with(PipeFlags::CLOEXEC)
        .map_err(|e| Failure::usage(format!("creating a pipe: {e}")))
}

/// Lets `fd` be inherited by the next child (cgctl starts no other process meanwhile).
fn inheritable(fd: &OwnedFd) -> Result<()> {
    rustix::io::fcntl_setfd(fd, FdFlags::empty())
        .map_err(|e| Failure::usage(format!("passing a pipe to the helper: {e}")))
}

impl Held {
    /// Starts `cgctl __hold` for `command` (with the caller's stdio).
    pub fn spawn(command: &[String]) -> Result<Held> {
        Held::start(Some(command), None)
    }

    /// Starts a keeper for `scope` (without stdio): it holds the scope open until
    /// dropped and stops it if cgctl dies.
    pub fn keeper(scope: &str) -> Result<Held> {
        Held::start(None, Some(scope))
    }

    fn start(command: Option<&[String]>, scope: Option<&str>) -> Result<Held> {
        let exe = std::env::current_exe()
            .map_err(|e| Failure::usage(format!("finding cgctl's own executable: {e}")))?;
        let (gate_r, gate_w) = pipe()?;
        inheritable(&gate_r)?;
        let mut cmd = Command::new(exe);
        cmd.arg("__hold").arg("--gate").arg(raw(&gate_r));
        let mut errors = None;
        let mut errors_w = None;
        match command {
            Some(command) => {
                let (r, w) = pipe()?;
                inheritable(&w)?;
                cmd.arg("--errors").arg(raw(&w)).arg("--").args(command);
                errors = Some(r);
                errors_w = Some(w);
            }
            None => {
                if let Some(scope) = scope {
                    cmd.arg("--scope").arg(scope);
                }
                // Its own process group: a Ctrl-C for the command's group must not
                // end the keeper while the command goes on.
                cmd.stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .process_group(0);
            }
        }
        let child = cmd
            .spawn()
            .map_err(|e| Failure::usage(format!("starting cgctl's gate helper: {e}")))?;
        // The helper has its copies; ours close here so that end of file means
        // the helper's went away.
        drop(gate_r);
        drop(errors_w);
        Ok(Held {
            child,
            gate: Some(gate_w),
            errors,
            released: false,
            reaped: false,
        })
    }

    /// The helper's pid (the command's, once released).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Opens the gate and waits until the helper has exec'd the command.
    ///
    /// # Errors
    /// The exec failed: the errno (`ENOENT`: not found), the helper then exits
    /// 127 or 126. `EPIPE` when the helper was gone before the gate opened (killed
    /// by a signal: its status is the run's).
    pub fn release(&mut self) -> std::result::Result<(), std::io::Error> {
        self.released = true;
        let gate = self.gate.take();
        if let Some(gate) = gate {
            std::fs::File::from(gate).write_all(&[GO])?;
        }
        let Some(errors) = self.errors.take() else {
            return Ok(());
        };
        let mut report = Vec::new();
        std::fs::File::from(errors).read_to_end(&mut report)?;
        match <[u8; 4]>::try_from(report.as_slice()) {
            Ok(bytes) => Err(std::io::Error::from_raw_os_error(i32::from_le_bytes(bytes))),
            Err(_) => Ok(()),
        }
    }

    /// Whether the helper, not yet released, has been killed by a signal.
    pub fn killed_at_gate(&mut self) -> bool {
        use std::os::unix::process::ExitStatusExt;
        !self.released
            && matches!(self.child.try_wait(), Ok(Some(status)) if status.signal().is_some())
    }

    /// Waits for the process (the command, once released).
    pub fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.child.wait();
        self.reaped = status.is_ok();
        status
    }
}

impl Drop for Held {
    /// Closes the gate (a held helper exits without running anything; a keeper
    /// ends), then reaps the process; a released command still running is killed.
    fn drop(&mut self) {
        self.gate = None;
        self.errors = None;
        if self.reaped {
            return;
        }
        if self.released && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn raw(fd: &OwnedFd) -> String {
    use std::os::fd::AsRawFd;
    fd.as_raw_fd().to_string()
}
