//! The manager end to end on temp-dir trees (real file opens through `CgroupDir`,
//! files created by writes): file names, create/update rules, refusals.
// Building fixture trees is the one place tests use std::fs directly.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::time::{Duration, Instant};

use cgroups_core::{CgroupPath, Config, CpuQuota, ErrorKind, Limit, Manager};
use tempfile::TempDir;

use super::*;

/// A fake cgroup2 root offering and enabling `controllers`, with cgroups `dirs`.
fn tree(controllers: &str, enabled: &str, dirs: &[&str]) -> TempDir {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "cgroup.controllers", controllers);
    put(tmp.path(), "cgroup.subtree_control", enabled);
    for dir in dirs {
        std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
        put(&tmp.path().join(dir), "cgroup.controllers", enabled);
        put(&tmp.path().join(dir), "cgroup.subtree_control", "");
        put(&tmp.path().join(dir), "cgroup.type", "domain");
    }
    tmp
}

fn put(dir: &Path, file: &str, content: &str) {
    std::fs::write(dir.join(file), content).unwrap();
}

fn get(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn manager(root: &TempDir, path: &str) -> Fs2Manager {
    let config = Config::new(CgroupPath::parse(path).unwrap());
    Fs2Manager::for_test_tree(config, root.path()).unwrap()
}

fn memory_limit(bytes: u64) -> Resources {
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(bytes));
    r
}

#[test]
fn a_memory_limit_under_a_root_that_does_not_delegate_memory_leaves_nothing_behind() {
    let root = tree("hugetlb memory", "", &[]);
    let m = manager(&root, "/job/a");
    let err = m.create_with(&memory_limit(1 << 20)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    assert_eq!(err.value(), Some("memory"));
    assert!(!root.path().join("job").exists());
    assert_eq!(get(root.path(), "cgroup.subtree_control"), "");
}

#[test]
fn set_enables_lazily_and_refuses_a_controller_the_root_does_not_enable() {
    let root = tree("memory pids", "pids", &["c"]);
    let m = manager(&root, "/c");
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(10));
    m.set(&r).unwrap();
    assert_eq!(get(&root.path().join("c"), "pids.max"), "10");

    let err = m.set(&memory_limit(1 << 20)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    assert!(!root.path().join("c/memory.max").exists());
}

#[test]
fn create_then_set_writes_the_v2_files() {
    let root = tree(
        "cpu memory pids hugetlb",
        "cpu memory pids hugetlb",
        &["job"],
    );
    let m = manager(&root, "/job/leaf");
    let mut r = memory_limit(256 << 20);
    r.memory.memory_and_swap_bytes = Some(Limit::Value(512 << 20));
    r.pids_max = Some(Limit::Value(0));
    r.hugetlb
        .push(cgroups_core::HugetlbLimit::new("2MB", Limit::Max));
    // The parent "job" has memory enabled in the fixture; creation writes nothing there.
    put(
        &root.path().join("job"),
        "cgroup.subtree_control",
        "cpu memory pids hugetlb",
    );
    m.create_with(&r).unwrap();
    m.set(&r).unwrap();
    let leaf = root.path().join("job/leaf");
    assert_eq!(get(&leaf, "memory.max"), "268435456");
    assert_eq!(get(&leaf, "memory.swap.max"), "268435456");
    assert_eq!(get(&leaf, "pids.max"), "1");
    assert_eq!(get(&leaf, "hugetlb.2MB.max"), "max");
    assert_eq!(get(&leaf, "hugetlb.2MB.rsvd.max"), "max");
    assert_eq!(m.paths()[""], leaf);
}

fn quota(q: Option<CpuQuota>, period: Option<u64>) -> Resources {
    let mut r = Resources::default();
    r.cpu.quota = q;
    r.cpu.period_us = period;
    r
}

// C20
#[test]
fn the_first_set_after_creating_uses_the_create_table_and_later_sets_update() {
    let root = tree("cpu", "cpu", &[]);
    let m = manager(&root, "/c");
    m.create().unwrap();
    let dir = root.path().join("c");
    put(&dir, "cpu.max", "7000 70000");
    m.set(&quota(Some(CpuQuota::Micros(1000)), None)).unwrap();
    assert_eq!(get(&dir, "cpu.max"), "1000 100000");
    put(&dir, "cpu.max", "1000 50000\n");
    m.set(&quota(None, Some(20000))).unwrap();
    assert_eq!(get(&dir, "cpu.max"), "1000 20000");
}

#[test]
fn a_cgroup_that_existed_before_the_manager_is_updated_from_the_first_set() {
    let root = tree("cpu", "cpu", &["c"]);
    let dir = root.path().join("c");
    put(&dir, "cpu.max", "5000 50000\n");
    let m = manager(&root, "/c");
    m.create().unwrap();
    m.set(&quota(Some(CpuQuota::Micros(1000)), None)).unwrap();
    assert_eq!(get(&dir, "cpu.max"), "1000 50000");
}

#[test]
fn unified_keys_are_written_last_and_hostile_ones_refused_before_any_write() {
    let root = tree("memory", "memory", &["c"]);
    let m = manager(&root, "/c");
    let mut r = memory_limit(1000);
    r.unified.insert("memory.max".into(), "2000".into());
    m.set(&r).unwrap();
    assert_eq!(get(&root.path().join("c"), "memory.max"), "2000");

    let mut r = memory_limit(3000);
    r.unified.insert("../cgroup.procs".into(), "1".into());
    let err = m.set(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath);
    assert_eq!(get(&root.path().join("c"), "memory.max"), "2000");
}

#[test]
fn device_rules_with_a_wildcard_hole_are_refused_before_anything_is_written() {
    let root = tree("memory", "memory", &["c"]);
    let m = manager(&root, "/c");
    let mut r = memory_limit(1000);
    r.devices = Some(vec![
        devices::Rule::parse("c *:* m", true).unwrap(),
        devices::Rule::parse("c 1:3 m", false).unwrap(),
    ]);
    let err = m.set(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(err.field(), Some("devices"));
    assert!(!root.path().join("c/memory.max").exists());
}

#[test]
fn add_pid_to_refuses_sub_cgroups_that_escape() {
    let root = tree("", "", &["c"]);
    let m = manager(&root, "/c");
    for sub in ["../other", "/abs", "a/../../b", "a//b"] {
        let err = m.add_pid_to(sub, 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{sub}");
    }
    assert!(!root.path().join("other").exists());
}

#[test]
fn a_relative_path_in_a_test_tree_is_below_its_root() {
    let root = tree("", "", &[]);
    let m = manager(&root, "rel/x");
    m.create().unwrap();
    assert!(root.path().join("rel/x").is_dir());
    assert!(m.exists());
}

#[test]
fn oom_kills_are_read_from_memory_events() {
    let root = tree("memory", "memory", &["c"]);
    let dir = root.path().join("c");
    let m = manager(&root, "/c");
    assert_eq!(m.oom_kill_count().unwrap_err().kind(), ErrorKind::NotFound);
    put(
        &dir,
        "memory.events",
        "low 0\nhigh 0\nmax 4\noom 2\noom_kill 3\noom_group_kill 0\n",
    );
    assert_eq!(m.oom_kill_count().unwrap(), 3);
    put(&dir, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\n");
    assert_eq!(m.oom_kill_count().unwrap(), 0);

    let config = Config::new(CgroupPath::parse("/gone").unwrap()).rootless(true);
    let rootless = Fs2Manager::for_test_tree(config, root.path()).unwrap();
    assert_eq!(rootless.oom_kill_count().unwrap(), 0);
}

// C24 cases 4 and 6
#[test]
fn freeze_waits_for_frozen_in_cgroup_events() {
    let root = tree("", "", &["c"]);
    let dir = root.path().join("c");
    let m = manager(&root, "/c");
    assert_eq!(
        m.freeze().unwrap_err().kind(),
        ErrorKind::ControllerUnavailable
    );
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Undefined);

    put(&dir, "cgroup.freeze", "0\n");
    put(&dir, "cgroup.events", "populated 1\nfrozen 1\n");
    m.freeze().unwrap();
    assert_eq!(get(&dir, "cgroup.freeze"), "1");
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Frozen);
    m.thaw().unwrap();
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Thawed);
}

#[test]
fn freeze_that_never_completes_times_out_within_its_budget() {
    let root = tree("", "", &["c"]);
    let dir = root.path().join("c");
    put(&dir, "cgroup.freeze", "0\n");
    put(&dir, "cgroup.events", "populated 1\nfrozen 0\n");
    let m = manager(&root, "/c");
    let start = Instant::now();
    let err = freezer::freeze(&m.dir().unwrap(), Duration::from_millis(300)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.value(), Some("frozen 0"));
}

#[test]
fn destroy_refuses_a_populated_cgroup_and_accepts_a_missing_one() {
    let root = tree("", "", &["c"]);
    put(
        &root.path().join("c"),
        "cgroup.events",
        "populated 1\nfrozen 0\n",
    );
    let m = manager(&root, "/c");
    let err = m.destroy().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy);
    assert!(root.path().join("c").is_dir());
    manager(&root, "/never-made").destroy().unwrap();
}

#[test]
fn the_hierarchy_root_is_never_killed_or_removed() {
    let root = tree("", "", &[]);
    let m = manager(&root, "/");
    assert_eq!(m.kill().unwrap_err().kind(), ErrorKind::InvalidPath);
    assert_eq!(m.destroy().unwrap_err().kind(), ErrorKind::InvalidPath);
}

#[test]
fn the_directory_fd_refers_to_the_cgroup_directory() {
    let root = tree("", "", &["a/b"]);
    let m = manager(&root, "/a/b");
    let fd = m.cgroup2_dir_fd().unwrap().unwrap();
    let stat = rustix::fs::fstat(&fd).unwrap();
    let expected = rustix::fs::stat(root.path().join("a/b")).unwrap();
    assert_eq!(
        (stat.st_dev, stat.st_ino),
        (expected.st_dev, expected.st_ino)
    );
    let flags = rustix::io::fcntl_getfd(&fd).unwrap();
    assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
}
