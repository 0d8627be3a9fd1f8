//! Process and thread lists (`cgroup.procs`, `cgroup.threads`): one id a line.

use crate::error::{Error, Result};
use crate::parse::lines::numbered_lines;
use crate::parse::number::unsigned;

/// Counts the ids of a `cgroup.procs` or `cgroup.threads` file: one decimal id
/// a line, blank lines skipped (an empty file is 0). Nothing is allocated.
///
/// This is the count the Go reference reports as `pids_stats.current` when the
/// pids controller is off; see [`PidsSource`](crate::PidsSource) for how it
/// differs from `pids.current`.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the first line that is
/// not a decimal id (or is 0, which no task has).
pub fn process_count(text: &[u8]) -> Result<u64> {
    let mut count = 0u64;
    for (n, line) in numbered_lines(text) {
        let id = line.trim_ascii();
        match unsigned(id) {
            Ok(0) => return Err(Error::parse_line(n, id, "0 is not a task id")),
            Ok(_) => count += 1,
            Err(problem) => return Err(Error::parse_line(n, id, problem)),
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn each_id_line_counts_once_and_blank_lines_do_not() {
        assert_eq!(process_count(b"").unwrap(), 0);
        assert_eq!(process_count(b"\n").unwrap(), 0);
        assert_eq!(process_count(b"12\n4567\n").unwrap(), 2);
        assert_eq!(process_count(b"12\n\n4567").unwrap(), 2, "no final newline");
    }

    #[test]
    fn a_line_that_is_not_an_id_is_an_error_naming_the_line() {
        let err = process_count(b"12\nabc\n").unwrap_err();
        assert_eq!((err.kind(), err.line()), (ErrorKind::Parse, Some(2)));
        let zero = process_count(b"0\n").unwrap_err();
        assert_eq!((zero.kind(), zero.line()), (ErrorKind::Parse, Some(1)));
        assert!(process_count(b"-3\n").is_err());
    }
}
