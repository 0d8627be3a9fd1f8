//! v1 `cpuset`: `cpuset.cpus` and `cpuset.mems`, and their inheritance (C25).
//!
//! A task cannot join a v1 cpuset whose `cpus` or `mems` is empty (ENOSPC, "no space
//! left on device"), and a new cpuset starts empty unless `cgroup.clone_children` is
//! set. So every level from the hierarchy root down to the cgroup, new or not, gets
//! an empty `cpus`/`mems` filled from its parent, top-down, before the next level is
//! made: this copies from the nearest non-empty ancestor and never writes an empty
//! string. `""` and `"\n"` both count as empty.
//!
//! File names: `cpuset.cpus` normally, plain `cpus` on a hierarchy mounted with
//! `noprefix` (Android); detected once per hierarchy from its root.

use cgroups_core::{CpusetResources, Result};

use crate::files::Files;

/// The file names of one cpuset hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Names {
    /// `cpuset.cpus` or `cpus`.
    pub(crate) cpus: &'static str,
    /// `cpuset.mems` or `mems`.
    pub(crate) mems: &'static str,
}

impl Names {
    /// Detects the naming from the hierarchy root: `cpuset.cpus` if it exists, else
    /// the `noprefix` names.
    pub(crate) fn detect(root: &dyn Files) -> Names {
        if root.exists("cpuset.cpus") {
            Names {
                cpus: "cpuset.cpus",
                mems: "cpuset.mems",
            }
        } else {
            Names {
                cpus: "cpus",
                mems: "mems",
            }
        }
    }
}

/// Whether anything is to be written to the cpuset hierarchy.
pub(crate) fn wanted(c: &CpusetResources) -> bool {
    c.cpus.is_some() || c.mems.is_some()
}

/// Writes the requested lists (cpus, then mems). Validation refuses empty lists.
pub(crate) fn set(files: &dyn Files, names: Names, c: &CpusetResources) -> Result<()> {
    if let Some(cpus) = &c.cpus {
        files.write(names.cpus, cpus)?;
    }
    if let Some(mems) = &c.mems {
        files.write(names.mems, mems)?;
    }
    Ok(())
}

/// Fills an empty `cpus` and an empty `mems` of `child` from `parent`. A parent that
/// is empty itself gives nothing to copy; the later join then fails with the
/// kernel's ENOSPC naming `cgroup.procs`.
pub(crate) fn inherit_if_empty(child: &dyn Files, parent: &dyn Files, names: Names) -> Result<()> {
    for file in [names.cpus, names.mems] {
        // A missing file counts as empty (cgroupfs always has it; a fake tree may
        // not, and a write to a file that is really missing fails with ENOENT).
        if !is_empty(&child.read_optional(file)?.unwrap_or_default()) {
            continue;
        }
        let inherited = parent.read_optional(file)?.unwrap_or_default();
        let inherited = inherited.trim();
        if inherited.is_empty() {
            log::debug!(
                "cpuset: {} is empty in {} and its parent; nothing to inherit",
                file,
                child.dir_path().display()
            );
            continue;
        }
        child.write(file, inherited)?;
    }
    Ok(())
}

fn is_empty(content: &str) -> bool {
    content.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    const PREFIXED: Names = Names {
        cpus: "cpuset.cpus",
        mems: "cpuset.mems",
    };

    fn level(name: &str, cpus: &str, mems: &str) -> FakeFiles {
        FakeFiles::new(name, &[("cpuset.cpus", cpus), ("cpuset.mems", mems)])
    }

    #[test]
    fn empty_levels_inherit_top_down_from_the_nearest_ancestor() {
        // C25: root "0-7"/"0", existing pods empty, new ctr1 empty.
        let root = level("/cpuset", "0-7\n", "0\n");
        let pods = level("/cpuset/pods", "", "\n");
        let ctr1 = level("/cpuset/pods/ctr1", "", "");
        inherit_if_empty(&pods, &root, PREFIXED).unwrap();
        inherit_if_empty(&ctr1, &pods, PREFIXED).unwrap();
        let want = [("cpuset.cpus", "0-7"), ("cpuset.mems", "0")];
        assert_eq!(pods.writes(), pairs(&want));
        assert_eq!(ctr1.writes(), pairs(&want));
        assert!(root.writes().is_empty());
    }

    #[test]
    fn non_empty_values_are_kept() {
        let parent = level("/cpuset/p", "0-7\n", "0\n");
        let child = level("/cpuset/p/c", "2-3\n", "\n");
        inherit_if_empty(&child, &parent, PREFIXED).unwrap();
        assert_eq!(child.writes(), pairs(&[("cpuset.mems", "0")]));
    }

    #[test]
    fn an_empty_parent_never_causes_an_empty_write() {
        let parent = level("/cpuset/p", "", "");
        let child = level("/cpuset/p/c", "", "");
        inherit_if_empty(&child, &parent, PREFIXED).unwrap();
        assert!(child.attempts().is_empty());
    }

    #[test]
    fn requested_cpus_then_mems_are_written() {
        let f = level("/cpuset/c", "0-7", "0");
        let mut c = CpusetResources::default();
        c.cpus = Some("2-3".to_owned());
        c.mems = Some("0".to_owned());
        set(&f, PREFIXED, &c).unwrap();
        assert_eq!(
            f.writes(),
            pairs(&[("cpuset.cpus", "2-3"), ("cpuset.mems", "0")])
        );
    }

    #[test]
    fn noprefix_hierarchy_uses_plain_names() {
        let root = FakeFiles::new("/dev/cpuset", &[("cpus", "0-3"), ("mems", "0")]);
        let names = Names::detect(&root);
        assert_eq!(
            names,
            Names {
                cpus: "cpus",
                mems: "mems"
            }
        );
        let child = FakeFiles::new("/dev/cpuset/c", &[("cpus", ""), ("mems", "")]);
        inherit_if_empty(&child, &root, names).unwrap();
        assert_eq!(child.writes(), pairs(&[("cpus", "0-3"), ("mems", "0")]));
    }

    #[test]
    fn prefixed_hierarchy_is_detected() {
        assert_eq!(Names::detect(&level("/cpuset", "0", "0")), PREFIXED);
    }
}
