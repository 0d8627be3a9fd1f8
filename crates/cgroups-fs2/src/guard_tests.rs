//! Manager guards on temp-dir trees: nothing written for a request that validation
//! can refuse, the hierarchy root, `add_pid_to("")`, names that are not UTF-8.
// Building fixture trees is the one place tests use std::fs directly.
#![allow(clippy::disallowed_methods)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use cgroups_core::{CgroupPath, Config, ErrorKind, FreezerState, Limit, Manager, Resources};
use tempfile::TempDir;

use crate::Fs2Manager;

/// A fake cgroup2 root with the cgroups `dirs`, each with the core files.
fn tree(dirs: &[&str]) -> TempDir {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "cgroup.controllers", "pids");
    put(tmp.path(), "cgroup.subtree_control", "pids");
    put(tmp.path(), "cgroup.procs", "");
    for dir in dirs {
        let d = tmp.path().join(dir);
        std::fs::create_dir_all(&d).unwrap();
        for (file, content) in [
            ("cgroup.controllers", "pids"),
            ("cgroup.subtree_control", ""),
            ("cgroup.type", "domain"),
            ("cgroup.procs", ""),
            ("cgroup.freeze", "0"),
            ("cgroup.events", "populated 0\nfrozen 0\n"),
            ("cgroup.max.depth", "max"),
            ("cgroup.max.descendants", "max"),
        ] {
            put(&d, file, content);
        }
    }
    tmp
}

fn put(dir: &Path, file: impl AsRef<Path>, content: &str) {
    std::fs::write(dir.join(file), content).unwrap();
}

fn get(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn manager(root: &TempDir, path: &str) -> Fs2Manager {
    let config = Config::new(CgroupPath::parse(path).unwrap());
    Fs2Manager::for_test_tree(config, root.path()).unwrap()
}

#[test]
fn a_request_with_an_empty_unified_value_writes_nothing_and_does_not_freeze() {
    let root = tree(&["c"]);
    let c = root.path().join("c");
    let m = manager(&root, "/c");
    let mut r = Resources::default();
    r.freezer = Some(FreezerState::Frozen);
    r.pids_max = Some(Limit::Value(10));
    r.unified.insert("cgroup.max.depth".into(), "2".into());
    r.unified
        .insert("cgroup.max.descendants".into(), String::new());
    let err = m.set(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
    assert!(err.to_string().contains("cgroup.max.descendants"), "{err}");
    assert_eq!(get(&c, "cgroup.freeze"), "0");
    assert_eq!(get(&c, "cgroup.max.depth"), "max");
    assert!(!c.join("pids.max").exists());
}

#[test]
fn reserved_unified_keys_and_shares_zero_are_refused_before_any_write() {
    let root = tree(&["c"]);
    let c = root.path().join("c");
    let m = manager(&root, "/c");
    for key in [
        "cgroup.procs",
        "cgroup.kill",
        "cgroup.freeze",
        "cgroup.subtree_control",
    ] {
        let mut r = Resources::default();
        r.pids_max = Some(Limit::Value(10));
        r.unified.insert(key.into(), "1".into());
        let err = m.set(&r).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{key}: {err}");
        assert_eq!(err.value(), Some(key));
    }
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(10));
    r.cpu.shares = Some(0);
    assert_eq!(m.set(&r).unwrap_err().field(), Some("cpu.shares"));
    assert!(!c.join("pids.max").exists());
    assert_eq!(get(&c, "cgroup.procs"), "");
}

#[test]
fn the_hierarchy_root_is_written_only_when_allowed() {
    let root = tree(&["sub"]);
    let m = manager(&root, "/");
    let mut r = Resources::default();
    r.unified.insert("cgroup.max.depth".into(), "3".into());
    for err in [
        m.set(&r).unwrap_err(),
        m.add_pid(1).unwrap_err(),
        m.add_pid_to("", 1).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{err}");
        assert!(err.to_string().contains("allow_root_writes"), "{err}");
    }
    assert_eq!(get(root.path(), "cgroup.procs"), "");
    assert!(!root.path().join("cgroup.max.depth").exists());
    // A child of the root is not the root.
    m.add_pid_to("sub", 4242).unwrap();
    assert_eq!(get(&root.path().join("sub"), "cgroup.procs"), "4242");

    let allowed = manager(&root, "/").allow_root_writes(true);
    allowed.set(&r).unwrap();
    assert_eq!(get(root.path(), "cgroup.max.depth"), "3");
    allowed.add_pid(4243).unwrap();
    assert_eq!(get(root.path(), "cgroup.procs"), "4243");
    assert_eq!(allowed.kill().unwrap_err().kind(), ErrorKind::InvalidPath);
    assert_eq!(
        allowed.destroy().unwrap_err().kind(),
        ErrorKind::InvalidPath
    );
}

#[test]
fn add_pid_to_an_empty_sub_cgroup_is_the_cgroup_itself() {
    let root = tree(&["c"]);
    manager(&root, "/c").add_pid_to("", 4242).unwrap();
    assert_eq!(get(&root.path().join("c"), "cgroup.procs"), "4242");
}

#[test]
fn all_pids_walks_into_a_sub_cgroup_whose_name_is_not_utf8() {
    let bad = OsStr::from_bytes(b"bad\xff");
    let root = tree(&["c", "c/a"]);
    let raw = root.path().join("c").join(bad);
    std::fs::create_dir(&raw).unwrap();
    put(&raw, "cgroup.procs", "12\n");
    put(&root.path().join("c/a"), "cgroup.procs", "11\n");
    assert_eq!(manager(&root, "/c").all_pids().unwrap(), [11, 12]);
}
