//! [`CgroupDir`] on fake cgroup trees in a temp dir (test-only constructor).
// Tests build their fixture trees with std::fs; the code under test goes through
// pathsafe.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use super::*;
use crate::TestTree;

fn tree() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn open(root: &Path) -> CgroupDir {
    let opts = TestTree {
        require_cgroupfs: false,
        create_on_write: true,
    };
    CgroupDir::open_test_root(root, opts).expect("open test root")
}

fn put(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn test_root_that_must_be_cgroupfs_is_refused_on_a_temp_dir() {
    let t = tree();
    let opts = TestTree {
        require_cgroupfs: true,
        create_on_write: false,
    };
    let err = CgroupDir::open_test_root(t.path(), opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotCgroupfs, "{err}");
}

#[test]
fn write_then_read_round_trips_the_value() {
    let t = tree();
    let cg = open(t.path());
    cg.write("cpu.shares", "512").unwrap();
    assert_eq!(cg.read("cpu.shares").unwrap(), "512");
    assert_eq!(cg.read_u64("cpu.shares").unwrap(), 512);
}

#[test]
fn write_lines_writes_every_line_with_its_newline() {
    let t = tree();
    let cg = open(t.path());
    let value = "8:0 rbps=1\n8:16 wbps=2\n";
    cg.write_lines("io.max", value).unwrap();
    assert_eq!(
        std::fs::read_to_string(t.path().join("io.max")).unwrap(),
        value
    );
    cg.write_lines("net_prio.ifpriomap", "eth0 5").unwrap();
    assert_eq!(cg.read("net_prio.ifpriomap").unwrap(), "eth0 5");
}

#[test]
fn empty_value_is_never_written() {
    let t = tree();
    let cg = open(t.path());
    let err = cg.write("memory.swap.max", "").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.path().unwrap().ends_with("memory.swap.max"));
    assert!(!t.path().join("memory.swap.max").exists());
    assert!(cg.write_lines("io.max", "").is_err());
}

#[test]
fn hostile_file_names_are_refused_before_any_open() {
    let t = tree();
    put(t.path(), "secret", "x");
    let cg = open(t.path());
    let child = cg.create_child_all("c").unwrap().0;
    for name in ["../secret", "..", ".", "", "a/b", "/secret", "x\0y"] {
        let err = child.read(name).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{name:?}: {err}");
        let err = child.write(name, "1").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{name:?}: {err}");
    }
}

#[test]
fn hostile_names_are_refused_with_the_openat2_fallback_too() {
    let before = crate::testing::force_openat2_fallback(true);
    hostile_file_names_are_refused_before_any_open();
    hostile_child_paths_are_refused();
    remove_tree_removes_children_depth_first();
    crate::testing::force_openat2_fallback(before);
}

#[test]
fn hostile_child_paths_are_refused() {
    let t = tree();
    let cg = open(t.path());
    for rel in ["..", "../x", "a/../b", "a//b", "/abs", "./a", "a\0b"] {
        assert_eq!(
            cg.open_child(rel).unwrap_err().kind(),
            ErrorKind::InvalidPath,
            "{rel:?}"
        );
        let err = cg.create_child_all(rel).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{rel:?}");
        assert_eq!(
            cg.remove_tree(rel).unwrap_err().kind(),
            ErrorKind::InvalidPath,
            "{rel:?}"
        );
    }
    assert!(!cg.exists("../x"));
}

#[test]
fn read_optional_gives_none_for_a_missing_file() {
    let t = tree();
    put(t.path(), "memory.peak", "4096\n");
    let cg = open(t.path());
    assert_eq!(
        cg.read_optional("memory.peak").unwrap().as_deref(),
        Some("4096\n")
    );
    assert_eq!(cg.read_optional("pids.peak").unwrap(), None);
    assert_eq!(
        cg.read("pids.peak").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn read_limit_and_read_u64_name_the_file_on_bad_content() {
    let t = tree();
    put(t.path(), "pids.max", "max\n");
    put(t.path(), "memory.limit_in_bytes", "9223372036854771712\n");
    put(t.path(), "memory.max", "\n");
    let cg = open(t.path());
    assert_eq!(cg.read_limit("pids.max").unwrap(), Limit::Max);
    assert_eq!(cg.read_limit("memory.limit_in_bytes").unwrap(), Limit::Max);
    let err = cg.read_limit("memory.max").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.path().unwrap().ends_with("memory.max"));
    let err = cg.read_u64("pids.max").unwrap_err();
    assert_eq!((err.kind(), err.value()), (ErrorKind::Parse, Some("max")));
}

#[test]
fn create_child_all_reports_only_the_levels_it_created() {
    let t = tree();
    std::fs::create_dir(t.path().join("a")).unwrap();
    let cg = open(t.path());
    let (child, created) = cg.create_child_all("a/b/c").unwrap();
    assert_eq!(created, ["a/b", "a/b/c"]);
    assert!(child.path().ends_with("a/b/c"));
    assert!(t.path().join("a/b/c").is_dir());
    let (_, again) = cg.create_child_all("a/b/c").unwrap();
    assert!(again.is_empty());
    assert!(cg.exists("a/b"));
    assert_eq!(cg.children().unwrap(), ["a"]);
}

#[test]
fn add_pid_writes_the_pid_and_refuses_pid_zero() {
    let t = tree();
    let cg = open(t.path());
    cg.add_pid(4242).unwrap();
    assert_eq!(cg.read("cgroup.procs").unwrap(), "4242");
    let err = cg.add_pid(0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
}

#[test]
fn pids_error_names_the_file_and_line() {
    let t = tree();
    put(t.path(), "cgroup.procs", "12\nnope\n");
    let cg = open(t.path());
    let err = cg.pids().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.path().unwrap().ends_with("cgroup.procs"));
    assert_eq!(err.value(), Some("nope"));
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn threads_of_a_v1_style_tree_come_from_tasks() {
    let t = tree();
    put(t.path(), "tasks", "7\n8\n");
    put(t.path(), "cgroup.procs", "7\n");
    let cg = open(t.path());
    assert_eq!(cg.threads().unwrap(), [7, 8]);
    assert_eq!(cg.pids().unwrap(), [7]);
}

#[test]
fn all_pids_walks_descendants_and_skips_vanished_ones() {
    // Reference §2.9: root "1", child "2\n3", an empty dir "gone" → {1, 2, 3}.
    let t = tree();
    put(t.path(), "cgroup.procs", "1\n");
    put(t.path(), "child/cgroup.procs", "2\n3\n");
    put(t.path(), "child/deeper/cgroup.procs", "4\n");
    std::fs::create_dir(t.path().join("gone")).unwrap();
    let cg = open(t.path());
    let mut pids = cg.all_pids().unwrap();
    pids.sort_unstable();
    assert_eq!(pids, [1, 2, 3, 4]);
}

#[test]
fn all_pids_fails_when_the_cgroup_itself_is_missing_its_procs() {
    let t = tree();
    let cg = open(t.path());
    assert_eq!(cg.all_pids().unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn remove_tree_removes_children_depth_first() {
    // C23 case 1 without the EBUSY part (scripted in retry.rs).
    let t = tree();
    std::fs::create_dir_all(t.path().join("c/a/b")).unwrap();
    std::fs::create_dir_all(t.path().join("c/z")).unwrap();
    std::fs::create_dir_all(t.path().join("keep")).unwrap();
    let cg = open(t.path());
    cg.remove_tree("c").unwrap();
    assert!(!t.path().join("c").exists());
    assert!(t.path().join("keep").is_dir());
}

#[test]
fn remove_tree_of_a_missing_cgroup_is_success() {
    // C23 case 2, and a missing parent.
    let t = tree();
    let cg = open(t.path());
    cg.remove_tree("never-created").unwrap();
    cg.remove_tree("no/such/parent").unwrap();
}

#[test]
fn remove_tree_refuses_to_remove_itself() {
    let t = tree();
    let cg = open(t.path());
    assert_eq!(
        cg.remove_tree("").unwrap_err().kind(),
        ErrorKind::InvalidPath
    );
}

#[test]
fn remove_tree_reports_a_directory_that_cannot_be_removed() {
    // A plain file inside makes rmdir fail with ENOTEMPTY on a normal filesystem:
    // the error must name the directory, not be swallowed.
    let t = tree();
    put(t.path(), "c/file", "x");
    let cg = open(t.path());
    let err = cg.remove_tree("c").unwrap_err();
    assert!(err.path().unwrap().ends_with("c"), "{err}");
    assert!(err.errno().is_some(), "{err}");
}
