//! Retry policies of cgroup writes and removals, as pure functions over an attempt
//! closure so that they can be tested with scripted results.
//!
//! - `rmdir`: the kernel frees a cgroup asynchronously after its last task exits, so
//!   an `rmdir(2)` right after a kill may see `EBUSY` (C23). We retry `EBUSY` 10
//!   times, sleeping 1 ms and doubling (about one second in all), retry `EINTR` at
//!   once, and count `ENOENT` as success (someone else removed it).
//! - writes to `cgroup.procs`: a task that is still being created (`TASK_NEW`) is
//!   refused with `EINVAL`; we make 5 attempts, 30 ms apart (reference §2.9).

use std::time::Duration;

use rustix::io::Errno;

use crate::{Error, Result};

/// How many times `EBUSY` is retried after the first attempt.
pub(crate) const RMDIR_BUSY_RETRIES: u32 = 10;

/// The first `EBUSY` back-off; it doubles after every retry.
pub(crate) const RMDIR_FIRST_DELAY: Duration = Duration::from_millis(1);

/// How many `EINTR` in a row are retried before giving up. The kernel does not
/// return `EINTR` from `rmdir(2)` forever; the cap only guarantees termination.
pub(crate) const MAX_EINTR_IN_A_ROW: u32 = 1000;

/// Attempts at writing a pid to `cgroup.procs` when the kernel says `EINVAL`.
pub(crate) const ADD_PID_ATTEMPTS: u32 = 5;

/// The pause between two `cgroup.procs` attempts.
pub(crate) const ADD_PID_DELAY: Duration = Duration::from_millis(30);

fn errno_of(err: &Error) -> Option<Errno> {
    err.errno().map(Errno::from_raw_os_error)
}

/// Runs `attempt` (one `rmdir(2)`) until it succeeds, the directory is gone, or the
/// retry budget is spent. `sleep` is called with each back-off.
pub(crate) fn rmdir_with_retries(
    mut attempt: impl FnMut() -> Result<()>,
    mut sleep: impl FnMut(Duration),
) -> Result<()> {
    let mut busy_retries = 0;
    let mut eintr_in_a_row = 0;
    let mut delay = RMDIR_FIRST_DELAY;
    loop {
        let err = match attempt() {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        match errno_of(&err) {
            Some(Errno::NOENT) => return Ok(()),
            Some(Errno::INTR) if eintr_in_a_row < MAX_EINTR_IN_A_ROW => {
                eintr_in_a_row += 1;
            }
            Some(Errno::BUSY) if busy_retries < RMDIR_BUSY_RETRIES => {
                eintr_in_a_row = 0;
                busy_retries += 1;
                sleep(delay);
                delay *= 2;
            }
            _ => return Err(err),
        }
    }
}

/// Runs `attempt` (one write to `cgroup.procs`), retrying `EINVAL` and `EINTR`.
pub(crate) fn add_pid_with_retries(
    mut attempt: impl FnMut() -> Result<()>,
    mut sleep: impl FnMut(Duration),
) -> Result<()> {
    let mut attempts = 0;
    let mut eintr_in_a_row = 0;
    loop {
        let err = match attempt() {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        match errno_of(&err) {
            Some(Errno::INTR) if eintr_in_a_row < MAX_EINTR_IN_A_ROW => {
                eintr_in_a_row += 1;
            }
            Some(Errno::INVAL) if attempts + 1 < ADD_PID_ATTEMPTS => {
                eintr_in_a_row = 0;
                attempts += 1;
                sleep(ADD_PID_DELAY);
            }
            _ => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// Replays scripted errnos (0 = success) and counts the attempts.
    fn script(
        results: &[i32],
    ) -> (
        impl FnMut() -> Result<()>,
        std::rc::Rc<std::cell::Cell<u32>>,
    ) {
        let mut queue: VecDeque<i32> = results.iter().copied().collect();
        let count = std::rc::Rc::new(std::cell::Cell::new(0));
        let seen = count.clone();
        let f = move || {
            seen.set(seen.get() + 1);
            match queue.pop_front() {
                Some(0) => Ok(()),
                Some(errno) => Err(Error::from_errno("rmdir", "c", errno)),
                // Past the script: the last state (busy) persists.
                None => Err(Error::from_errno("rmdir", "c", Errno::BUSY.raw_os_error())),
            }
        };
        (f, count)
    }

    const BUSY: i32 = 16;
    const NOENT: i32 = 2;
    const INTR: i32 = 4;
    const ROFS: i32 = 30;
    const INVAL: i32 = 22;

    #[test]
    fn rmdir_busy_twice_then_ok_succeeds_after_two_back_offs() {
        let (f, count) = script(&[BUSY, BUSY, 0]);
        let mut sleeps = Vec::new();
        rmdir_with_retries(f, |d| sleeps.push(d)).unwrap();
        assert_eq!(count.get(), 3);
        assert_eq!(sleeps, [Duration::from_millis(1), Duration::from_millis(2)]);
    }

    #[test]
    fn rmdir_enoent_is_success() {
        let (f, count) = script(&[NOENT]);
        rmdir_with_retries(f, |_| panic!("no sleep expected")).unwrap();
        assert_eq!(count.get(), 1);
    }

    #[test]
    fn rmdir_busy_forever_fails_after_budget_of_about_one_second() {
        let (f, count) = script(&[]);
        let mut total = Duration::ZERO;
        let err = rmdir_with_retries(f, |d| total += d).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Busy);
        assert_eq!(err.path(), Some(std::path::Path::new("c")));
        assert_eq!(count.get(), 1 + RMDIR_BUSY_RETRIES);
        assert_eq!(total, Duration::from_millis(1023));
    }

    #[test]
    fn rmdir_eintr_is_retried_at_once() {
        let (f, count) = script(&[INTR, 0]);
        rmdir_with_retries(f, |_| panic!("EINTR must not sleep")).unwrap();
        assert_eq!(count.get(), 2);
    }

    #[test]
    fn rmdir_other_errno_fails_at_once() {
        let (f, count) = script(&[ROFS, 0]);
        let err = rmdir_with_retries(f, |_| {}).unwrap_err();
        assert_eq!(err.errno(), Some(ROFS));
        assert_eq!(count.get(), 1);
    }

    #[test]
    fn add_pid_einval_is_retried_five_attempts_in_all() {
        let (f, count) = script(&[INVAL; 10]);
        let mut sleeps = 0;
        let err = add_pid_with_retries(f, |d| {
            assert_eq!(d, ADD_PID_DELAY);
            sleeps += 1;
        })
        .unwrap_err();
        assert_eq!(err.errno(), Some(INVAL));
        assert_eq!(count.get(), ADD_PID_ATTEMPTS);
        assert_eq!(sleeps, ADD_PID_ATTEMPTS - 1);
    }

    #[test]
    fn add_pid_einval_then_ok_succeeds() {
        let (f, count) = script(&[INVAL, INTR, 0]);
        add_pid_with_retries(f, |_| {}).unwrap();
        assert_eq!(count.get(), 3);
    }

    #[test]
    fn add_pid_other_errno_is_not_retried() {
        let (f, count) = script(&[BUSY, 0]);
        assert!(add_pid_with_retries(f, |_| {}).is_err());
        assert_eq!(count.get(), 1);
    }
}
