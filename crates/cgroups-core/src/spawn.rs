//! Starting a command already inside a cgroup.
//!
//! A process moved into a cgroup after it started has already run (and allocated)
//! outside it; limits and accounting must hold from the first instruction of the new
//! program. Two ways get there:
//!
//! - [`spawn_in`] takes a configured [`std::process::Command`] (pipes, redirections)
//!   and joins the cgroup in the child, between `fork(2)` and `execve(2)`: the parent
//!   opens `cgroup.procs` of every hierarchy of the manager's cgroup
//!   ([`Manager::procs_files`]) and the child writes `0` (the kernel's "the writing
//!   process") to each before it execs. It never uses clone3: `Command` does not
//!   expose its stdio configuration, so it cannot be reproduced outside `Command`.
//! - [`Spawn::start_in`] (explicit opt-in, inherited stdio only) creates the child
//!   directly inside the cgroup with `clone3(CLONE_INTO_CGROUP | CLONE_PIDFD)` when
//!   the manager's cgroup lives only in cgroup2 (its single `cgroup.procs` is the one
//!   of [`Manager::cgroup2_dir_fd`]). Otherwise, and when clone3 fails with `ENOSYS`,
//!   `EINVAL`, `E2BIG` or `EPERM` (kernel before 5.7, seccomp; remembered for the rest
//!   of the process), it takes the `fork` path of [`spawn_in`]. The `PATH` search and
//!   every C string are prepared in the parent; the clone3 child only resets signals,
//!   changes directory and execs, and reports a failure's errno through a close-on-exec
//!   pipe, so a missing program is an [`Error`] with `ENOENT` as with `Command`.
//!   [`SpawnedChild::joined_by`] tells which way was taken.
//!
//! # Kernel quirk: children killed at birth
//!
//! On this project's hybrid test host (kernel 6.18) a child created with
//! `CLONE_INTO_CGROUP` in a cgroup that ever had `cgroup.kill` written is killed
//! (`SIGKILL`) before it runs; the VM kernels (6.1, 6.12) do not do this, nor does a
//! `cgroup.procs` write. The clone3 child writes one byte before anything else, so
//! [`Spawn::start_in`] can tell a child that never ran: it reaps it and starts the
//! command again by the fork path (nothing of the program ran). This is also why
//! [`spawn_in`] stays the default of runtimes that reuse a cgroup.
//!
//! # Compatibility
//!
//! clone3 is Linux 5.3, `CLONE_INTO_CGROUP` 5.7, pidfds 5.3; older kernels take the
//! fork path, and without pidfds [`SpawnedChild`] waits and signals by pid.

mod builder;
mod child;
mod prepare;
mod start;

pub use builder::Spawn;
pub use child::{JoinMethod, SpawnedChild};
#[cfg(feature = "test-fixtures")]
pub(crate) use start::force_fallback;

use std::ffi::OsStr;
use std::fs::File;
use std::process::{Child, Command};
use std::sync::Arc;

use crate::{Error, ErrorKind, Manager, Result};

/// Spawns `command` so that it is inside every hierarchy of `manager`'s cgroup before
/// it execs: the child writes `0` to each pre-opened `cgroup.procs` before `execve`.
///
/// If a write fails, the child does not exec and the error (with the write's errno)
/// is returned; no process runs outside the cgroup.
///
/// The hook stays installed on `command`; spawning the same `Command` again without
/// `spawn_in` fails with `EBADF` rather than starting a process outside the cgroup.
///
/// # Errors
///
/// Errors of [`Manager::procs_files`]; [`ErrorKind::NotFound`] if the manager has no
/// `cgroup.procs` to join; otherwise the errno of the join or of the exec.
///
/// # Compatibility
///
/// Any kernel with cgroups. [`Spawn::start_in`] is the clone3 alternative for callers
/// that inherit stdio.
pub fn spawn_in(manager: &dyn Manager, command: &mut Command) -> Result<Child> {
    let files = manager.procs_files()?;
    let program = command.get_program().to_owned();
    spawn_with_procs(files, command, &program)
}

/// [`spawn_in`] with the `cgroup.procs` files already opened; `program` names the
/// command in errors.
fn spawn_with_procs(files: Vec<File>, command: &mut Command, program: &OsStr) -> Result<Child> {
    if files.is_empty() {
        return Err(Error::new(
            ErrorKind::NotFound,
            "the manager has no cgroup.procs to join",
        )
        .with_hint("create the cgroup first (Manager::create)"));
    }
    let procs: Arc<[File]> = files.into();
    crate::sys::join_cgroups_before_exec(command, &procs);
    let spawned = command.spawn();
    drop(procs);
    spawned.map_err(|err| {
        let program = program.to_string_lossy().into_owned();
        let out = match err.raw_os_error() {
            Some(errno) => Error::from_errno("spawn in cgroup", program, errno),
            None => Error::new(ErrorKind::Io, format!("spawn in cgroup: {err}")).with_path(program),
        };
        out.with_source(err).with_hint(
            "the child joins each cgroup.procs, then execs: the errno is from one of the two",
        )
    })
}

#[cfg(test)]
#[path = "spawn_tests.rs"]
mod tests;
