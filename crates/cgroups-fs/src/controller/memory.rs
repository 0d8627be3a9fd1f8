//! v1 `memory`: limits, memory+swap, soft limit, OOM control, swappiness.
//!
//! Files: `memory.limit_in_bytes`, `memory.memsw.limit_in_bytes`,
//! `memory.soft_limit_in_bytes`, `memory.oom_control`, `memory.swappiness`; read for
//! ordering and errors: `memory.usage_in_bytes`, `memory.max_usage_in_bytes`.
//!
//! The kernel requires `memsw >= memory` at every instant, so the order of the two
//! limit writes depends on the current limit: when the new memory+swap limit is above
//! the current memory limit (or unlimited), memory+swap goes first; otherwise memory
//! goes first. A memory limit of `Max` without a memory+swap request also lifts
//! memory+swap (when the file exists), else the kernel would refuse the memory write.
//! The caller's [`MemoryResources`] are never modified.
//!
//! Kernel memory limits (`memory.kmem.*`) are never written (C15): the model has no
//! field for them, since the kernel ignores or removed them (5.4+, removed in 6.1).

use cgroups_core::{Error, ErrorKind, Limit, MemoryResources, Result};
use rustix::io::Errno;

use crate::files::{Files, has_errno, read_number, rephrase};

const LIMIT: &str = "memory.limit_in_bytes";
const MEMSW: &str = "memory.memsw.limit_in_bytes";
const SOFT: &str = "memory.soft_limit_in_bytes";
const OOM_CONTROL: &str = "memory.oom_control";
const SWAPPINESS: &str = "memory.swappiness";
const USAGE: &str = "memory.usage_in_bytes";
const PEAK: &str = "memory.max_usage_in_bytes";

/// Whether anything is to be written to the memory hierarchy.
pub(crate) fn wanted(m: &MemoryResources) -> bool {
    m.limit_bytes.is_some()
        || m.memory_and_swap_bytes.is_some()
        || m.reservation_bytes.is_some()
        || m.swappiness.is_some()
        || m.oom_kill_disable.is_some()
}

/// The text a v1 memory limit file takes: `-1` for unlimited, else bytes.
fn text(limit: Limit) -> String {
    match limit {
        Limit::Max => "-1".to_owned(),
        Limit::Value(v) => v.to_string(),
    }
}

/// Applies the memory settings in the kernel's required order.
pub(crate) fn set(files: &dyn Files, m: &MemoryResources) -> Result<()> {
    let mut swap = m.memory_and_swap_bytes;
    if m.limit_bytes == Some(Limit::Max) && swap.is_none() && files.exists(MEMSW) {
        swap = Some(Limit::Max);
    }
    if m.check_before_update
        && let Some(Limit::Value(limit)) = m.limit_bytes
    {
        check_above_usage(files, limit)?;
    }

    match (m.limit_bytes, swap) {
        (Some(memory), Some(swap)) => {
            if swap_goes_first(files, swap)? {
                write_swap(files, swap)?;
                write_limit(files, memory)?;
            } else {
                write_limit(files, memory)?;
                write_swap(files, swap)?;
            }
        }
        (Some(memory), None) => write_limit(files, memory)?,
        (None, Some(swap)) => write_swap(files, swap)?,
        (None, None) => {}
    }

    if let Some(soft) = m.reservation_bytes {
        files.write(SOFT, &text(soft))?;
    }
    // `Some(false)` writes 0 (re-enable the OOM killer); the reference writes
    // nothing for false, which cannot undo an earlier `true`.
    if let Some(disable) = m.oom_kill_disable {
        files.write(OOM_CONTROL, if disable { "1" } else { "0" })?;
    }
    if let Some(swappiness) = m.swappiness {
        if swappiness > 100 {
            return Err(
                Error::new(ErrorKind::InvalidValue, "memory swappiness must be 0..=100")
                    .with_field("memory.swappiness")
                    .with_value(swappiness.to_string()),
            );
        }
        files.write(SWAPPINESS, &swappiness.to_string())?;
    }
    Ok(())
}

/// Whether memory+swap must be written before memory: it is unlimited, or above the
/// current memory limit (so raising both never has memsw < memory in between).
fn swap_goes_first(files: &dyn Files, swap: Limit) -> Result<bool> {
    match swap {
        Limit::Max => Ok(true),
        Limit::Value(swap) => Ok(read_number(files, LIMIT)? < swap),
    }
}

fn write_limit(files: &dyn Files, limit: Limit) -> Result<()> {
    let value = text(limit);
    files.write(LIMIT, &value).map_err(|e| {
        if !has_errno(&e, Errno::BUSY) {
            return e;
        }
        let usage = describe(files, USAGE);
        let peak = describe(files, PEAK);
        rephrase(
            e,
            ErrorKind::KernelRefused,
            format!(
                "cannot set the memory limit to {value} bytes: the kernel could not \
                 reclaim enough (current usage {usage}, peak usage {peak})"
            ),
            "choose a limit above the current usage, or free memory in the cgroup first",
        )
    })
}

fn write_swap(files: &dyn Files, swap: Limit) -> Result<()> {
    files.write(MEMSW, &text(swap)).map_err(|e| {
        if !e.is_not_found() {
            return e;
        }
        rephrase(
            e,
            ErrorKind::ControllerUnavailable,
            format!("cannot set the memory+swap limit: {MEMSW} does not exist"),
            "swap accounting is off in this kernel (boot with swapaccount=1), \
             or leave memory_and_swap_bytes unset",
        )
    })
}

/// `check_before_update`: refuse a limit at or below the current usage.
fn check_above_usage(files: &dyn Files, limit: u64) -> Result<()> {
    let usage = read_number(files, USAGE)?;
    if limit <= usage {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!("memory limit {limit} is not above the current usage {usage} bytes"),
        )
        .with_field("memory.limit_bytes")
        .with_path(files.dir_path().join(USAGE))
        .with_value(limit.to_string())
        .with_hint("raise the limit, or unset check_before_update to let the kernel reclaim"));
    }
    Ok(())
}

/// A number file as text for a message, or `unknown` when it cannot be read.
fn describe(files: &dyn Files, file: &str) -> String {
    match read_number(files, file) {
        Ok(v) => v.to_string(),
        Err(_) => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    const M: u64 = 1024 * 1024;

    fn dir(limit: u64, memsw: u64) -> FakeFiles {
        let limit = limit.to_string();
        let memsw = memsw.to_string();
        FakeFiles::new(
            "/fake/memory/c",
            &[
                (LIMIT, limit.as_str()),
                (MEMSW, memsw.as_str()),
                (SOFT, "9223372036854771712"),
                (OOM_CONTROL, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"),
                (SWAPPINESS, "60"),
                (USAGE, "104857600"),
                (PEAK, "209715200"),
                ("memory.kmem.limit_in_bytes", "9223372036854771712"),
                ("memory.kmem.tcp.limit_in_bytes", "9223372036854771712"),
            ],
        )
    }

    fn res(limit: Option<Limit>, swap: Option<Limit>) -> MemoryResources {
        let mut m = MemoryResources::default();
        m.limit_bytes = limit;
        m.memory_and_swap_bytes = swap;
        m
    }

    #[test]
    fn raising_both_limits_writes_swap_first() {
        let f = dir(300 * M, 500 * M);
        set(
            &f,
            &res(Some(Limit::Value(600 * M)), Some(Limit::Value(800 * M))),
        )
        .unwrap();
        let want = [(MEMSW, "838860800"), (LIMIT, "629145600")];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn lowering_both_limits_writes_memory_first() {
        let f = dir(600 * M, 800 * M);
        set(
            &f,
            &res(Some(Limit::Value(300 * M)), Some(Limit::Value(500 * M))),
        )
        .unwrap();
        let want = [(LIMIT, "314572800"), (MEMSW, "524288000")];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn new_cgroup_with_unlimited_current_writes_memory_then_swap() {
        // This host's rule: memsw after and >= memory, from the unlimited default.
        let unlimited = 9_223_372_036_854_771_712;
        let f = dir(unlimited, unlimited);
        set(
            &f,
            &res(Some(Limit::Value(64 * M)), Some(Limit::Value(128 * M))),
        )
        .unwrap();
        assert_eq!(f.written_files(), vec![LIMIT, MEMSW]);
    }

    #[test]
    fn unlimited_swap_is_written_before_memory() {
        let f = dir(600 * M, 800 * M);
        set(&f, &res(Some(Limit::Value(100 * M)), Some(Limit::Max))).unwrap();
        assert_eq!(f.writes(), pairs(&[(MEMSW, "-1"), (LIMIT, "104857600")]));
    }

    #[test]
    fn unlimited_memory_alone_also_lifts_memsw_first() {
        let f = dir(600 * M, 800 * M);
        let m = res(Some(Limit::Max), None);
        set(&f, &m).unwrap();
        assert_eq!(f.writes(), pairs(&[(MEMSW, "-1"), (LIMIT, "-1")]));
        // The caller's value is not modified.
        assert_eq!(m.memory_and_swap_bytes, None);
    }

    #[test]
    fn unlimited_memory_without_memsw_file_writes_only_memory() {
        let f = FakeFiles::new("/fake/memory/c", &[(LIMIT, "1048576")]);
        set(&f, &res(Some(Limit::Max), None)).unwrap();
        assert_eq!(f.writes(), pairs(&[(LIMIT, "-1")]));
    }

    #[test]
    fn memsw_alone_is_written_alone() {
        let f = dir(300 * M, 300 * M);
        set(&f, &res(None, Some(Limit::Value(500 * M)))).unwrap();
        assert_eq!(f.writes(), pairs(&[(MEMSW, "524288000")]));
    }

    #[test]
    fn limit_and_soft_limit_are_written_in_order() {
        let f = dir(300 * M, 300 * M);
        let mut m = res(Some(Limit::Value(500 * M)), None);
        m.reservation_bytes = Some(Limit::Value(300 * M));
        set(&f, &m).unwrap();
        assert_eq!(
            f.writes(),
            pairs(&[(LIMIT, "524288000"), (SOFT, "314572800")])
        );
    }

    #[test]
    fn busy_memory_limit_reports_usage_and_peak() {
        let f = dir(300 * M, 300 * M).fail_always(LIMIT, Errno::BUSY);
        let err = set(&f, &res(Some(Limit::Value(M)), None)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KernelRefused);
        assert_eq!(err.errno(), Some(Errno::BUSY.raw_os_error()));
        assert_eq!(err.value(), Some("1048576"));
        assert!(err.path().unwrap().ends_with(LIMIT));
        let text = err.to_string();
        assert!(text.contains("usage 104857600"), "{text}");
        assert!(text.contains("peak usage 209715200"), "{text}");
    }

    #[test]
    fn a_failed_write_names_file_value_and_errno() {
        let f = dir(300 * M, 300 * M).fail_always(SOFT, Errno::INVAL);
        let mut m = MemoryResources::default();
        m.reservation_bytes = Some(Limit::Value(7));
        let err = set(&f, &m).unwrap_err();
        assert!(err.path().unwrap().ends_with(SOFT));
        assert_eq!(err.value(), Some("7"));
        assert_eq!(err.errno(), Some(Errno::INVAL.raw_os_error()));
    }

    #[test]
    fn missing_memsw_file_is_a_typed_error_with_a_hint() {
        let f = FakeFiles::new("/fake/memory/c", &[(LIMIT, "1048576")]);
        let err = set(&f, &res(None, Some(Limit::Value(M)))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
        assert!(err.to_string().contains("swapaccount"), "{err}");
    }

    #[test]
    fn oom_kill_disable_and_swappiness_are_written() {
        let f = dir(M, M);
        let mut m = MemoryResources::default();
        m.oom_kill_disable = Some(true);
        m.swappiness = Some(0);
        set(&f, &m).unwrap();
        assert_eq!(f.writes(), pairs(&[(OOM_CONTROL, "1"), (SWAPPINESS, "0")]));
        m.oom_kill_disable = Some(false);
        m.swappiness = None;
        set(&f, &m).unwrap();
        assert_eq!(
            f.writes().last().unwrap(),
            &(OOM_CONTROL.to_owned(), "0".to_owned())
        );
    }

    #[test]
    fn swappiness_above_100_is_refused_before_writing() {
        let f = dir(M, M);
        let mut m = MemoryResources::default();
        m.swappiness = Some(101);
        let err = set(&f, &m).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert!(f.writes().is_empty());
    }

    #[test]
    fn check_before_update_refuses_a_limit_at_current_usage() {
        let f = dir(300 * M, 300 * M);
        let mut m = res(Some(Limit::Value(104_857_600)), None);
        m.check_before_update = true;
        let err = set(&f, &m).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.field(), Some("memory.limit_bytes"));
        assert!(f.attempts().is_empty());
        m.limit_bytes = Some(Limit::Value(104_857_601));
        set(&f, &m).unwrap();
        assert_eq!(f.written_files(), vec![LIMIT]);
    }

    #[test]
    fn kernel_memory_files_are_never_written() {
        // C15: whatever is asked of memory, memory.kmem.* stay untouched.
        let f = dir(300 * M, 300 * M);
        let mut m = res(Some(Limit::Value(64 * M)), Some(Limit::Value(128 * M)));
        m.reservation_bytes = Some(Limit::Value(32 * M));
        m.oom_kill_disable = Some(true);
        m.swappiness = Some(10);
        set(&f, &m).unwrap();
        assert!(
            f.written_files()
                .iter()
                .all(|w| !w.starts_with("memory.kmem"))
        );
        assert_eq!(f.writes().len(), 5);
    }

    #[test]
    fn nothing_is_wanted_by_default() {
        assert!(!wanted(&MemoryResources::default()));
        assert!(wanted(&res(Some(Limit::Max), None)));
    }
}
