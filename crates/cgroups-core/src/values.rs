//! Parsing of cgroup file values shared by [`CgroupDir`](crate::CgroupDir) readers,
//! and the advice attached to failed writes.

use std::path::PathBuf;

use rustix::io::Errno;

use crate::error::from_io;
use crate::{Error, Limit};

/// Smallest value that a v1 file prints for "unlimited" (C14): the kernel prints
/// `PAGE_COUNTER_MAX` times the page size, (2^63 − 1) rounded down to a page, so the
/// exact number depends on the page size; every page size up to 64 KiB lands at or
/// above 2^63 − 2^16.
pub(crate) const V1_UNLIMITED_FLOOR: u64 = (1 << 63) - (1 << 16);

/// Parses the text of a limit file; `None` if it is not a limit.
pub(crate) fn parse_limit(value: &str) -> Option<Limit> {
    match value {
        "max" | "-1" => Some(Limit::Max),
        _ => match value.parse::<u64>().ok()? {
            v if v >= V1_UNLIMITED_FLOOR => Some(Limit::Max),
            v => Some(Limit::Value(v)),
        },
    }
}

/// Parses `cgroup.procs`-style text; on error the 1-based line number and the line.
pub(crate) fn parse_pid_list(text: &str) -> std::result::Result<Vec<u32>, (usize, String)> {
    let mut pids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.parse::<u32>() {
            Ok(pid) => pids.push(pid),
            Err(_) => return Err((i + 1, line.to_owned())),
        }
    }
    Ok(pids)
}

/// The error of a failed write, with advice for the errnos that have a usual cause.
#[cold]
pub(crate) fn write_error(path: PathBuf, value: &str, err: &std::io::Error) -> Error {
    let Some(errno) = err.raw_os_error() else {
        return from_io("write", path, err).with_value(value);
    };
    let hint = match Errno::from_raw_os_error(errno) {
        Errno::INVAL => Some(
            "the kernel refused the value: check its range and format for this file \
             (see the kernel's cgroup documentation)",
        ),
        Errno::BUSY => Some(
            "the cgroup is busy: the setting is in use by child cgroups or processes, or \
             a controller cannot change while the cgroup is populated",
        ),
        Errno::NOSPC => Some(
            "no room: cpuset.cpus/cpuset.mems outside the parent's set, or the target \
             cgroup has no cpus/mems yet (set them before adding tasks)",
        ),
        Errno::PERM | Errno::ACCESS => Some(
            "not permitted: run as root or in a delegated cgroup; moving a process needs \
             write access to cgroup.procs of a common ancestor",
        ),
        Errno::OPNOTSUPP => Some("the operation is not supported by this cgroup (threaded?)"),
        _ => None,
    };
    let out = Error::from_errno("write", path, errno).with_value(value);
    match hint {
        Some(hint) => out.with_hint(hint),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_parses_every_unlimited_spelling() {
        assert_eq!(parse_limit("max"), Some(Limit::Max));
        assert_eq!(parse_limit("-1"), Some(Limit::Max));
        assert_eq!(parse_limit("9223372036854771712"), Some(Limit::Max));
        assert_eq!(parse_limit("9223372036854710272"), Some(Limit::Max));
        assert_eq!(parse_limit("18446744073709551615"), Some(Limit::Max));
        assert_eq!(parse_limit("4096"), Some(Limit::Value(4096)));
        assert_eq!(parse_limit("0"), Some(Limit::Value(0)));
    }

    #[test]
    fn limit_refuses_other_text() {
        assert_eq!(parse_limit(""), None);
        assert_eq!(parse_limit("-2"), None);
        assert_eq!(parse_limit("1.5"), None);
        assert_eq!(parse_limit("max 100000"), None);
    }

    #[test]
    fn pid_list_skips_blank_lines_and_names_the_bad_line() {
        assert_eq!(parse_pid_list("1\n\n22\n333\n"), Ok(vec![1, 22, 333]));
        assert_eq!(parse_pid_list(""), Ok(vec![]));
        assert_eq!(parse_pid_list("1\nx2\n"), Err((2, "x2".to_owned())));
        assert_eq!(parse_pid_list("-1\n"), Err((1, "-1".to_owned())));
    }
}
