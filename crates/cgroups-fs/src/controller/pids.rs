//! v1 `pids`: `pids.max` (C21).
//!
//! `None` writes nothing; `Max` writes `max`; a limit of 0 is written as `1`, the
//! same as systemd's `TasksMax`, so the fs and systemd drivers never flip-flop.

use cgroups_core::{Limit, Result, convert};

use crate::files::Files;

const MAX: &str = "pids.max";

/// Whether anything is to be written to the pids hierarchy.
pub(crate) fn wanted(limit: Option<Limit>) -> bool {
    limit.is_some()
}

/// Writes `pids.max`.
pub(crate) fn set(files: &dyn Files, limit: Option<Limit>) -> Result<()> {
    match limit {
        Some(limit) => files.write(MAX, &convert::pids_max_value(limit)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    fn dir() -> FakeFiles {
        FakeFiles::new("/fake/pids/c", &[(MAX, "12345")])
    }

    #[test]
    fn absent_limit_writes_nothing() {
        let f = dir();
        set(&f, None).unwrap();
        assert!(f.attempts().is_empty());
        assert_eq!(f.content(MAX).as_deref(), Some("12345"));
    }

    #[test]
    fn limit_is_written_in_decimal() {
        let f = dir();
        set(&f, Some(Limit::Value(100))).unwrap();
        assert_eq!(f.writes(), pairs(&[(MAX, "100")]));
    }

    #[test]
    fn zero_limit_is_written_as_one() {
        let f = dir();
        set(&f, Some(Limit::Value(0))).unwrap();
        assert_eq!(f.writes(), pairs(&[(MAX, "1")]));
    }

    #[test]
    fn unlimited_is_written_as_max() {
        let f = dir();
        set(&f, Some(Limit::Max)).unwrap();
        assert_eq!(f.writes(), pairs(&[(MAX, "max")]));
    }
}
