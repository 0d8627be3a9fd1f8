//! The crate's only `unsafe` code: the `pre_exec` hook that makes a child join its
//! cgroups between `fork` and `execve`, and (module `clone3`) the `clone3(2)` call that
//! creates a child directly inside a cgroup2 directory.
#![allow(unsafe_code)]

mod clone3;

pub(crate) use clone3::{ExecImage, STARTED, clone3_exec};

use std::fs::File;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::{Arc, Weak};

use rustix::io::Errno;

/// Installs a hook on `command` that, in the child after `fork` and before `execve`,
/// writes `0` ("the writing process") to each of `procs` (opened `O_WRONLY |
/// O_CLOEXEC` in the parent). A failed write makes the exec fail with that errno,
/// which `Command::spawn` returns.
///
/// The hook holds only a weak reference: the files stay open as long as the caller
/// holds `procs`, that is until `spawn` returns. A later `spawn` of the same
/// `Command`, after `procs` is dropped, fails with `EBADF` instead of writing to a
/// file descriptor number that may have been reused.
pub(crate) fn join_cgroups_before_exec(command: &mut Command, procs: &Arc<[File]>) {
    let procs: Weak<[File]> = Arc::downgrade(procs);
    let hook = move || -> io::Result<()> {
        // Upgrading is an atomic increment: no allocation, no lock.
        let Some(files) = procs.upgrade() else {
            return Err(io::Error::from_raw_os_error(Errno::BADF.raw_os_error()));
        };
        for file in files.iter() {
            write_zero(file)?;
        }
        Ok(())
    };
    // SAFETY: `pre_exec` requires the hook to be async-signal-safe, since it runs in
    // the child of a possibly multi-threaded parent after fork(2). The hook only
    // upgrades a `Weak` (an atomic compare-and-swap; the parent holds a strong
    // reference during `spawn`, so the count never reaches zero here and nothing is
    // freed), calls write(2) on file descriptors that were opened before the fork,
    // and builds `io::Error` from a raw errno, which does not allocate. It takes no
    // locks and touches no memory allocator.
    unsafe {
        command.pre_exec(hook);
    }
}

/// write(2) of `"0"`, retried on `EINTR`; async-signal-safe.
fn write_zero(file: &File) -> io::Result<()> {
    loop {
        match rustix::io::write(file, b"0") {
            Ok(_) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(io::Error::from_raw_os_error(errno.raw_os_error())),
        }
    }
}
