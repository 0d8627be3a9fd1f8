//! Manager tests on fake trees: a temp dir with one `<controller>/` directory per
//! hierarchy and the files the kernel would provide created by the test.
// Building fixture trees in a temp dir is what std::fs is for here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use cgroups_core::{CgroupPath, Config, Error, ErrorKind, FreezerState, Limit, Manager, Resources};

use crate::FsManager;

struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(hierarchies: &[&str]) -> Tree {
        let dir = tempfile::tempdir().expect("tempdir");
        for h in hierarchies {
            let name = h.strip_prefix("name=").unwrap_or(h);
            std::fs::create_dir_all(dir.path().join(name)).expect("mkdir");
        }
        Tree { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn file(&self, rel: &str, content: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }

    fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.path(rel)).expect("mkdir");
    }

    fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.path(rel)).ok()
    }

    fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    fn manager(&self, config: Config, hierarchies: &[&str]) -> FsManager {
        FsManager::for_test_tree(config, self.dir.path(), hierarchies).expect("manager")
    }
}

fn config(path: &str) -> Config {
    Config::new(CgroupPath::parse(path).expect("path"))
}

fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

const ALL: [&str; 6] = ["cpuset", "memory", "cpu", "pids", "freezer", "devices"];

#[test]
fn create_makes_the_cgroup_in_every_hierarchy() {
    let t = Tree::new(&ALL);
    let m = t.manager(config("/pods/c1"), &ALL);
    m.create().unwrap();
    m.create().unwrap(); // idempotent
    for h in ALL {
        assert!(t.path(&format!("{h}/pods/c1")).is_dir(), "{h}");
    }
    let paths = m.paths();
    assert_eq!(paths.len(), ALL.len());
    assert_eq!(paths["memory"], t.path("memory/pods/c1"));
    assert!(m.exists());
}

#[test]
fn new_cpuset_levels_inherit_before_a_pid_joins() {
    // C25, run 1 and run 2.
    let t = Tree::new(&["cpuset"]);
    t.file("cpuset/cpuset.cpus", "0-7\n");
    t.file("cpuset/cpuset.mems", "0\n");
    t.file("cpuset/pods/cpuset.cpus", "");
    t.file("cpuset/pods/cpuset.mems", "\n");
    let m = t.manager(config("/pods/ctr1"), &["cpuset"]);
    m.create().unwrap();
    m.add_pid(4242).unwrap();
    assert_eq!(t.read("cpuset/pods/cpuset.cpus").as_deref(), Some("0-7"));
    assert_eq!(t.read("cpuset/pods/cpuset.mems").as_deref(), Some("0"));
    assert_eq!(
        t.read("cpuset/pods/ctr1/cpuset.cpus").as_deref(),
        Some("0-7")
    );
    assert_eq!(t.read("cpuset/pods/ctr1/cpuset.mems").as_deref(), Some("0"));
    assert_eq!(
        t.read("cpuset/pods/ctr1/cgroup.procs").as_deref(),
        Some("4242")
    );
    assert_eq!(t.read("cpuset/cpuset.cpus").as_deref(), Some("0-7\n"));

    let mut r = Resources::default();
    r.cpuset.cpus = Some("2-3".to_owned());
    m.set(&r).unwrap();
    assert_eq!(
        t.read("cpuset/pods/ctr1/cpuset.cpus").as_deref(),
        Some("2-3")
    );
    assert_eq!(t.read("cpuset/pods/ctr1/cpuset.mems").as_deref(), Some("0"));
}

#[test]
fn noprefix_cpuset_mount_inherits_with_plain_names() {
    let t = Tree::new(&["cpuset"]);
    t.file("cpuset/cpus", "0-3\n");
    t.file("cpuset/mems", "0\n");
    let m = t.manager(config("/a"), &["cpuset"]);
    m.create().unwrap();
    assert_eq!(t.read("cpuset/a/cpus").as_deref(), Some("0-3"));
    assert!(!t.exists("cpuset/a/cpuset.cpus"));
}

#[test]
fn resources_for_an_unmounted_controller_are_a_typed_error_and_write_nothing() {
    let t = Tree::new(&["cpu", "pids"]);
    let m = t.manager(config("/job"), &["cpu", "pids"]);
    m.create().unwrap();
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(10));
    r.memory.limit_bytes = Some(Limit::Value(1 << 20));
    let err = m.set(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    assert_eq!(err.value(), Some("memory"));
    assert!(files_below(&t.path("pids/job")).is_empty());
}

#[test]
fn controllers_left_out_of_the_config_are_never_touched() {
    let t = Tree::new(&ALL);
    let m = t.manager(config("/job").controllers(["cpu", "pids"]), &ALL);
    m.create().unwrap();
    m.add_pid(1234).unwrap();
    assert!(!t.exists("memory/job"));
    assert!(!t.exists("cpuset/job"));
    assert_eq!(t.read("cpu/job/cgroup.procs").as_deref(), Some("1234"));
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(1 << 20));
    let err = m.set(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    assert!(err.to_string().contains("Config::controllers"), "{err}");
    assert!(!t.exists("memory/job"));
}

#[test]
fn device_rules_with_a_wildcard_hole_are_refused_before_anything_is_written() {
    let t = Tree::new(&["devices", "pids"]);
    let m = t.manager(config("/job"), &["devices", "pids"]);
    m.create().unwrap();
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(5));
    r.devices = Some(vec![
        devices::Rule::parse("c *:* m", true).unwrap(),
        devices::Rule::parse("c 1:3 m", false).unwrap(),
    ]);
    let err = m.set(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(err.field(), Some("devices"));
    assert!(!t.exists("pids/job/pids.max"));
}

#[test]
fn set_writes_each_controller_in_its_own_hierarchy() {
    let t = Tree::new(&ALL);
    t.file("memory/job/memory.limit_in_bytes", "9223372036854771712\n");
    t.file(
        "memory/job/memory.memsw.limit_in_bytes",
        "9223372036854771712\n",
    );
    t.file("cpu/job/cpu.shares", "1024\n");
    let m = t.manager(config("/job"), &ALL);
    m.create().unwrap();
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(64 << 20));
    r.memory.memory_and_swap_bytes = Some(Limit::Value(128 << 20));
    r.cpu.shares = Some(512);
    r.pids_max = Some(Limit::Value(0));
    r.freezer = Some(FreezerState::Thawed);
    m.set(&r).unwrap();
    let limit = t.read("memory/job/memory.limit_in_bytes");
    assert_eq!(limit.as_deref(), Some("67108864"));
    let memsw = t.read("memory/job/memory.memsw.limit_in_bytes");
    assert_eq!(memsw.as_deref(), Some("134217728"));
    assert_eq!(t.read("cpu/job/cpu.shares").as_deref(), Some("512"));
    assert_eq!(t.read("pids/job/pids.max").as_deref(), Some("1"));
    assert_eq!(
        t.read("freezer/job/freezer.state").as_deref(),
        Some("THAWED")
    );
}

#[test]
fn empty_resources_write_nothing() {
    let t = Tree::new(&ALL);
    let m = t.manager(config("/job"), &ALL);
    m.create().unwrap();
    m.set(&Resources::default()).unwrap();
    assert!(files_below(t.dir.path()).is_empty());
}

#[test]
fn raw_unified_files_are_refused_on_v1() {
    let t = Tree::new(&["cpu"]);
    let m = t.manager(config("/job"), &["cpu"]);
    let mut r = Resources::default();
    r.unified.insert("cpu.weight".to_owned(), "100".to_owned());
    assert_eq!(m.set(&r).unwrap_err().kind(), ErrorKind::InvalidValue);
}

#[test]
fn blkio_on_a_cfq_kernel_writes_blkio_weight() {
    let t = Tree::new(&["blkio"]);
    t.file("blkio/job/blkio.weight", "500\n");
    let m = t.manager(config("/job"), &["blkio"]);
    let mut r = Resources::default();
    r.block_io.weight = Some(300);
    m.set(&r).unwrap();
    assert_eq!(t.read("blkio/job/blkio.weight").as_deref(), Some("300"));
    assert!(!t.exists("blkio/job/blkio.bfq.weight"));
}

#[test]
fn failing_create_removes_only_the_directories_it_made() {
    let t = Tree::new(&["devices", "memory", "cpu"]);
    t.file("devices/job/keep", "pre-existing");
    t.file("cpu/job", "a file where the cgroup should go");
    let m = t.manager(config("/job/inner"), &["devices", "memory", "cpu"]);
    assert!(m.create().is_err());
    assert!(t.exists("devices/job/keep"), "pre-existing dir was removed");
    assert!(!t.exists("devices/job/inner"));
    assert!(!t.exists("memory/job"), "created dir was left behind");
}

#[test]
fn rootless_permission_error_drops_the_hierarchy_and_set_then_fails() {
    let t = Tree::new(&["memory", "pids"]);
    let m = t.manager(config("/job").rootless(true), &["memory", "pids"]);
    let (i, h) = m.hierarchy_for("memory").unwrap();
    let denied = Error::from_errno("mkdir", "/x", rustix::io::Errno::ACCESS.raw_os_error());
    m.tolerate(i, h, denied).unwrap();
    assert!(!m.paths().contains_key("memory"));
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(1 << 20));
    assert_eq!(m.set(&r).unwrap_err().kind(), ErrorKind::PermissionDenied);
    // Without rootless the same error is not tolerated.
    let strict = t.manager(config("/job"), &["memory", "pids"]);
    let (i, h) = strict.hierarchy_for("memory").unwrap();
    let denied = Error::from_errno("mkdir", "/x", rustix::io::Errno::ACCESS.raw_os_error());
    assert!(strict.tolerate(i, h, denied).is_err());
}

#[test]
fn sub_cgroups_that_escape_are_refused() {
    let t = Tree::new(&["pids"]);
    let m = t.manager(config("/job"), &["pids"]);
    m.create().unwrap();
    for sub in ["../other", "/abs", "a/../../b", "a//b"] {
        let err = m.add_pid_to(sub, 7).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{sub:?}");
    }
    assert!(files_below(t.dir.path()).is_empty());
}

#[test]
fn pid_joins_a_sub_cgroup_in_every_hierarchy() {
    let t = Tree::new(&["pids", "freezer"]);
    t.mkdir("pids/job/worker");
    t.mkdir("freezer/job/worker");
    let m = t.manager(config("/job"), &["pids", "freezer"]);
    m.add_pid_to("worker", 77).unwrap();
    assert_eq!(
        t.read("pids/job/worker/cgroup.procs").as_deref(),
        Some("77")
    );
    assert_eq!(
        t.read("freezer/job/worker/cgroup.procs").as_deref(),
        Some("77")
    );
}

#[test]
fn freezer_operations_without_a_freezer_hierarchy() {
    let t = Tree::new(&["pids"]);
    let m = t.manager(config("/job"), &["pids"]);
    m.create().unwrap();
    assert_eq!(
        m.freeze().unwrap_err().kind(),
        ErrorKind::ControllerUnavailable
    );
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Undefined);
}

#[test]
fn freeze_reads_back_the_kernel_state() {
    // A fake file keeps what was written: FROZEN reads back FROZEN.
    let t = Tree::new(&["freezer"]);
    t.file("freezer/job/freezer.state", "THAWED\n");
    let m = t.manager(config("/job"), &["freezer"]);
    m.freeze().unwrap();
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Frozen);
    m.thaw().unwrap();
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Thawed);
}

#[test]
fn hybrid_unified_hierarchy_is_joined_but_never_configured() {
    let t = Tree::new(&["pids", "unified"]);
    let m = t.manager(config("/job"), &["pids", "unified"]);
    m.create().unwrap();
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Max);
    m.set(&r).unwrap();
    m.add_pid(99).unwrap();
    assert_eq!(t.read("unified/job/cgroup.procs").as_deref(), Some("99"));
    assert_eq!(files_below(&t.path("unified/job")).len(), 1);
    assert_eq!(m.paths()[""], t.path("unified/job"));
    assert!(m.cgroup2_dir_fd().is_none());
}

#[test]
fn pids_come_from_the_devices_hierarchy_first() {
    let t = Tree::new(&["devices", "pids"]);
    t.file("devices/job/cgroup.procs", "1\n2\n");
    t.file("pids/job/cgroup.procs", "3\n");
    let m = t.manager(config("/job"), &["devices", "pids"]);
    assert_eq!(m.pids().unwrap(), [1, 2]);
    let only_pids = t.manager(config("/job").controllers(["pids"]), &["devices", "pids"]);
    assert_eq!(only_pids.pids().unwrap(), [3]);
}

#[test]
fn oom_kill_count_reads_memory_oom_control() {
    let t = Tree::new(&["memory"]);
    t.file(
        "memory/job/memory.oom_control",
        "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n",
    );
    let m = t.manager(config("/job"), &["memory"]);
    assert_eq!(m.oom_kill_count().unwrap(), 4);
    let no_memory = t.manager(config("/job").controllers(["pids"]), &["memory"]);
    assert!(no_memory.oom_kill_count().is_err());
}

#[test]
fn destroy_removes_the_cgroup_everywhere() {
    let t = Tree::new(&["pids", "freezer"]);
    let m = t.manager(config("/job"), &["pids", "freezer"]);
    m.create().unwrap();
    m.destroy().unwrap();
    m.destroy().unwrap(); // idempotent
    assert!(!t.exists("pids/job"));
    assert!(!t.exists("freezer/job"));
    assert!(!m.exists());
}

#[test]
fn destroy_refuses_while_processes_remain() {
    let t = Tree::new(&["pids"]);
    t.file("pids/job/cgroup.procs", "4242\n");
    let m = t.manager(config("/job"), &["pids"]);
    assert_eq!(m.destroy().unwrap_err().kind(), ErrorKind::Busy);
    assert!(t.exists("pids/job"));
}

#[test]
fn destroy_refuses_a_hierarchy_root() {
    let t = Tree::new(&["pids"]);
    let m = t.manager(config("/"), &["pids"]);
    assert_eq!(m.destroy().unwrap_err().kind(), ErrorKind::InvalidPath);
    assert!(t.exists("pids"));
}

#[test]
fn unknown_test_hierarchy_is_refused() {
    let t = Tree::new(&["pids"]);
    let err = FsManager::for_test_tree(config("/job"), t.dir.path(), &["pidz"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
}

#[test]
fn comounted_hierarchy_serves_both_controllers() {
    let t = Tree::new(&["cpu,cpuacct"]);
    let m = t.manager(config("/job"), &["cpu,cpuacct"]);
    m.create().unwrap();
    let paths = m.paths();
    assert_eq!(paths["cpu"], t.path("cpu,cpuacct/job"));
    assert_eq!(paths["cpuacct"], t.path("cpu,cpuacct/job"));
}
