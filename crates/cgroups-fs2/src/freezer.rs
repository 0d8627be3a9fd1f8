//! The cgroup v2 freezer: `cgroup.freeze` (Linux 5.2) and `frozen` in
//! `cgroup.events`.

use std::time::Duration;

use cgroups_core::{CgroupDir, Error, ErrorKind, FreezerState, Result};

use crate::events::{value_of, wait_for};
use crate::files::Files;

/// How long [`freeze`] waits for the kernel to report `frozen 1`.
pub(crate) const FREEZE_BUDGET: Duration = Duration::from_secs(10);

/// The freezer state (C24 cases 4–6).
///
/// `cgroup.freeze` `0` → thawed. `1` → frozen once `cgroup.events` says `frozen 1`,
/// and [`FreezerState::Undefined`] while the kernel is still freezing. A missing
/// `cgroup.freeze` (kernel without the v2 freezer) or a cgroup that vanished (ENOENT,
/// ENODEV) is `Undefined`, not an error.
pub(crate) fn state(files: &dyn Files) -> Result<FreezerState> {
    let wanted = match files.read_optional("cgroup.freeze") {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(FreezerState::Undefined),
        Err(e) if e.is_not_found() => return Ok(FreezerState::Undefined),
        Err(e) => return Err(e),
    };
    match wanted.trim() {
        "0" => Ok(FreezerState::Thawed),
        "1" => match files.read("cgroup.events") {
            Ok(events) if value_of(&events, "frozen") == Some("1") => Ok(FreezerState::Frozen),
            Ok(_) => Ok(FreezerState::Undefined),
            Err(e) if e.is_not_found() => Ok(FreezerState::Undefined),
            Err(e) => Err(e),
        },
        other => Err(
            Error::new(ErrorKind::Parse, "unexpected cgroup.freeze content")
                .with_path(files.dir_path().join("cgroup.freeze"))
                .with_value(other),
        ),
    }
}

/// Freezes: writes `1` to `cgroup.freeze` and waits (without sleeping, see
/// [`crate::events`]) until `cgroup.events` says `frozen 1`.
///
/// # Errors
/// [`ErrorKind::ControllerUnavailable`] without `cgroup.freeze` (Linux < 5.2),
/// [`ErrorKind::Timeout`] after `budget`.
pub(crate) fn freeze(dir: &CgroupDir, budget: Duration) -> Result<()> {
    if !dir.exists("cgroup.freeze") {
        let msg = "this kernel has no cgroup v2 freezer (cgroup.freeze needs Linux 5.2)";
        return Err(Error::new(ErrorKind::ControllerUnavailable, msg)
            .with_path(dir.path().join("cgroup.freeze"))
            .with_value("freezer"));
    }
    dir.write("cgroup.freeze", "1")?;
    wait_for(dir, "frozen", "1", budget)
}

/// Thaws: one write of `0` (the kernel thaws at once). Without `cgroup.freeze`
/// nothing can be frozen, so there is nothing to do.
pub(crate) fn thaw(files: &dyn Files) -> Result<()> {
    match files.exists("cgroup.freeze") {
        true => files.write("cgroup.freeze", "0"),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::MemTree;
    use rustix::io::Errno;

    fn tree(freeze: Option<&str>, events: &str) -> MemTree {
        let tree = MemTree::new("", "");
        tree.add_cgroup("c");
        if let Some(freeze) = freeze {
            tree.set("c/cgroup.freeze", freeze);
        }
        tree.set("c/cgroup.events", events);
        tree
    }

    // C24 case 4
    #[test]
    fn a_kernel_without_cgroup_freeze_reports_undefined() {
        let t = tree(None, "populated 0\n");
        assert_eq!(state(&t.files("c")).unwrap(), FreezerState::Undefined);
    }

    // C24 case 5
    #[test]
    fn a_vanished_cgroup_reports_undefined() {
        let t = tree(Some("1\n"), "populated 0\nfrozen 1\n");
        assert_eq!(state(&t.files("gone")).unwrap(), FreezerState::Undefined);
        t.fail_reads("c/cgroup.freeze", Errno::NODEV);
        assert_eq!(state(&t.files("c")).unwrap(), FreezerState::Undefined);
    }

    // C24 case 6
    #[test]
    fn frozen_needs_both_cgroup_freeze_and_frozen_in_events() {
        let t = tree(Some("1\n"), "populated 1\nfrozen 1\n");
        assert_eq!(state(&t.files("c")).unwrap(), FreezerState::Frozen);
        let t = tree(Some("1\n"), "populated 1\nfrozen 0\n");
        assert_eq!(state(&t.files("c")).unwrap(), FreezerState::Undefined);
        let t = tree(Some("0\n"), "populated 1\nfrozen 0\n");
        assert_eq!(state(&t.files("c")).unwrap(), FreezerState::Thawed);
    }

    #[test]
    fn garbage_in_cgroup_freeze_is_a_parse_error() {
        let t = tree(Some("2\n"), "");
        assert_eq!(state(&t.files("c")).unwrap_err().kind(), ErrorKind::Parse);
    }

    #[test]
    fn thaw_is_a_single_write_and_a_no_op_without_the_file() {
        let t = tree(Some("1\n"), "frozen 1\n");
        thaw(&t.files("c")).unwrap();
        assert_eq!(t.writes(), ["c/cgroup.freeze 0"]);
        let t = tree(None, "");
        thaw(&t.files("c")).unwrap();
        assert!(t.log().is_empty());
    }
}
