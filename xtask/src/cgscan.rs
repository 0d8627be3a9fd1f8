//! Finding test cgroups (`cgtest-<pid>-...`) in every mounted hierarchy, and removing
//! the ones left by dead test runs (`cargo xtask clean`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Directories the scan never enters or touches: the machine's own cgroups.
const NEVER_ENTER: &[&str] = &["process_api"];
/// How deep below a hierarchy root the scan looks (1 = the root's children).
const MAX_DEPTH: usize = 4;

/// A `cgtest-*` directory found in a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub path: PathBuf,
    /// The pid in `cgtest-<pid>-...`, when the name has one.
    pub pid: Option<u32>,
}

impl Found {
    /// Whether the process that made it is gone (no `/proc/<pid>`).
    pub fn owner_is_dead(&self) -> bool {
        self.pid
            .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
    }
}

/// The mount points of every cgroup hierarchy (v1 and cgroup2), each once.
pub fn hierarchy_roots() -> Vec<PathBuf> {
    let set: BTreeSet<PathBuf> = ktest::mounts::hierarchies()
        .iter()
        .map(|h| h.mount_point.clone())
        .collect();
    set.into_iter().collect()
}

/// Every `cgtest-*` directory at depth 1..=4 of every hierarchy; the scan does not
/// descend into a `cgtest-*` directory (its subtree is its own) nor into `process_api`.
pub fn scan() -> Vec<Found> {
    let mut out = Vec::new();
    for root in hierarchy_roots() {
        walk(&root, 1, &mut out);
    }
    out.sort();
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<Found>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if NEVER_ENTER.contains(&name.as_str()) {
            continue;
        }
        if name.starts_with(ktest::PREFIX) {
            out.push(Found {
                path: entry.path(),
                pid: owner_pid(&name),
            });
        } else {
            walk(&entry.path(), depth + 1, out);
        }
    }
}

/// The `<pid>` of `cgtest-<pid>-...`.
pub fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(ktest::PREFIX)?;
    let (pid, _) = rest.split_once('-')?;
    pid.parse().ok()
}

/// `cargo xtask clean`: removes `cgtest-<pid>-...` trees whose `<pid>` is dead and
/// that hold no process; kills nothing and reports what it skips. Returns false only
/// when removing a tree failed.
pub fn clean() -> bool {
    let mut ok = true;
    let mut removed = 0;
    for found in scan() {
        let shown = found.path.display();
        if found.pid.is_none() {
            println!("skip   {shown}: no owner pid in the name");
            continue;
        }
        if !found.owner_is_dead() {
            println!(
                "skip   {shown}: pid {} is alive (a running test)",
                found.pid.unwrap_or(0)
            );
            continue;
        }
        let procs = procs_in_tree(&found.path);
        if !procs.is_empty() {
            // Not ours to kill: report it and leave it for a person to look at.
            println!("skip   {shown}: still holds processes {procs:?} (not killed)");
            continue;
        }
        match ktest::remove_tree(&found.path, &[]) {
            Ok(()) => {
                println!("removed {shown}");
                removed += 1;
            }
            Err(e) => {
                println!("FAILED {shown}: {}", e.message().unwrap_or("?"));
                ok = false;
            }
        }
    }
    println!("xtask clean: removed {removed} leftover test cgroup(s)");
    ok
}

/// The pids in `cgroup.procs` anywhere in the tree at `dir`.
fn procs_in_tree(dir: &Path) -> Vec<u32> {
    let mut pids: Vec<u32> = std::fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pids.extend(procs_in_tree(&entry.path()));
            }
        }
    }
    pids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_pid_is_read_from_the_test_cgroup_name() {
        assert_eq!(owner_pid("cgtest-4242-freeze-0"), Some(4242));
        assert_eq!(owner_pid("cgtest-4242"), None);
        assert_eq!(owner_pid("cgtest-x-y"), None);
        assert_eq!(owner_pid("other-1-2"), None);
    }

    #[test]
    fn a_pid_that_does_not_exist_is_dead() {
        let found = Found {
            path: PathBuf::new(),
            pid: Some(u32::MAX - 1),
        };
        assert!(found.owner_is_dead());
        let me = Found {
            path: PathBuf::new(),
            pid: Some(std::process::id()),
        };
        assert!(!me.owner_is_dead());
    }
}
