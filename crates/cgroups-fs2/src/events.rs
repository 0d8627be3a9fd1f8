//! Waiting for a key of `cgroup.events` (`populated`, `frozen`) to take a value.
//!
//! The kernel signals every change of `cgroup.events` to pollers of an open file
//! with `POLLPRI` (kernfs notification), so we read the file, check, and `poll(2)` the
//! same fd for `POLLPRI` until the next change: no sleeping loop. Each poll is capped
//! at [`POLL_SLICE`] and the file is re-read after it, so a missed notification (or a
//! plain file in a test tree, which never signals) costs at most one slice.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use cgroups_core::{Access, CgroupDir, Error, ErrorKind, Result};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;

/// The longest single `poll(2)` before the file is read again.
pub(crate) const POLL_SLICE: Duration = Duration::from_millis(500);

/// The value of `key` in `key value` lines (`cgroup.events`, `memory.events`).
pub(crate) fn value_of<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim())
    })
}

/// Waits until `cgroup.events` of `dir` has `key want`, for at most `budget`.
///
/// # Errors
/// [`ErrorKind::Timeout`] when the budget is spent; [`ErrorKind::NotFound`] when the
/// cgroup (or its `cgroup.events`) is gone.
pub(crate) fn wait_for(dir: &CgroupDir, key: &str, want: &str, budget: Duration) -> Result<()> {
    let path = dir.path().join("cgroup.events");
    let mut file = dir.open_file("cgroup.events", Access::Read)?;
    let deadline = Instant::now() + budget;
    let mut text = String::new();
    loop {
        read_again(&mut file, &mut text).map_err(|e| io_error(&path, e))?;
        let seen = value_of(&text, key);
        if seen == Some(want) {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            let msg = format!("waited {budget:?} for {key:?} to become {want:?}");
            return Err(Error::new(ErrorKind::Timeout, msg)
                .with_path(path)
                .with_value(format!("{key} {}", seen.unwrap_or("(missing)"))));
        }
        wait_for_change(&file, (deadline - now).min(POLL_SLICE))
            .map_err(|e| Error::from_errno("poll failed", &path, e.raw_os_error()))?;
    }
}

fn read_again(file: &mut File, text: &mut String) -> std::io::Result<()> {
    text.clear();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_string(text)?;
    Ok(())
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(errno) => Error::from_errno("read failed", path, errno),
        None => Error::new(ErrorKind::Io, format!("read failed: {e}")).with_path(path),
    }
}

/// One `poll(2)` for `POLLPRI` on `file`, for at most `timeout`; EINTR counts as a
/// wake-up (the caller reads the file again).
fn wait_for_change(file: &File, timeout: Duration) -> std::result::Result<(), Errno> {
    let timeout = Timespec {
        tv_sec: timeout.as_secs() as i64,
        tv_nsec: i64::from(timeout.subsec_nanos()),
    };
    let mut fds = [PollFd::new(file, PollFlags::PRI)];
    match poll(&mut fds, Some(&timeout)) {
        Ok(_) | Err(Errno::INTR) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_whole_key() {
        let text = "populated 1\nfrozen 0\n";
        assert_eq!(value_of(text, "populated"), Some("1"));
        assert_eq!(value_of(text, "frozen"), Some("0"));
        assert_eq!(value_of(text, "froze"), None);
        assert_eq!(
            value_of("oom_kill 3\noom_group_kill 1", "oom_kill"),
            Some("3")
        );
    }
}
