//! Manager guards on fake trees: the hierarchy root, the caller inside the tree,
//! cgroups present in some hierarchies only, names that are not UTF-8.
// Building fixture trees in a temp dir is what std::fs is for here.
#![allow(clippy::disallowed_methods)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use cgroups_core::{CgroupPath, Config, ErrorKind, FreezerState, Limit, Manager, Resources};

use crate::FsManager;

fn tree(hierarchies: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for h in hierarchies {
        std::fs::create_dir_all(dir.path().join(h)).expect("mkdir");
    }
    dir
}

fn put(root: &Path, rel: impl AsRef<Path>, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).expect("read")
}

fn manager(root: &Path, path: &str, hierarchies: &[&str]) -> FsManager {
    let config = Config::new(CgroupPath::parse(path).expect("path"));
    FsManager::for_test_tree(config, root, hierarchies).expect("manager")
}

fn bad() -> &'static OsStr {
    OsStr::from_bytes(b"bad\xff")
}

/// A `job` cgroup in the freezer and pids hierarchies, thawed, with empty
/// `cgroup.procs` and `tasks` everywhere.
fn job_tree() -> tempfile::TempDir {
    let t = tree(&["freezer", "pids"]);
    for h in ["freezer", "pids"] {
        for dir in ["job", "job/sub"] {
            put(t.path(), format!("{h}/{dir}/cgroup.procs"), "");
            put(t.path(), format!("{h}/{dir}/tasks"), "");
        }
    }
    put(t.path(), "freezer/job/freezer.state", "THAWED\n");
    t
}

#[test]
fn kill_refuses_before_freezing_when_this_process_is_in_the_tree() {
    let t = job_tree();
    let me = std::process::id();
    put(t.path(), "pids/job/sub/cgroup.procs", &format!("{me}\n"));
    let m = manager(t.path(), "/job", &["freezer", "pids"]);
    let err = m.kill().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath, "{err}");
    assert!(err.to_string().contains("inside"), "{err}");
    assert_eq!(read(t.path(), "freezer/job/freezer.state"), "THAWED\n");
}

#[test]
fn kill_refuses_before_freezing_when_the_calling_thread_is_in_the_freezer_tree() {
    let t = job_tree();
    let tid = rustix::thread::gettid().as_raw_pid();
    put(t.path(), "freezer/job/sub/tasks", &format!("{tid}\n"));
    let m = manager(t.path(), "/job", &["freezer", "pids"]);
    let err = m.kill().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath, "{err}");
    assert_eq!(read(t.path(), "freezer/job/freezer.state"), "THAWED\n");
}

#[test]
fn the_hierarchy_root_is_never_killed_and_written_only_when_allowed() {
    let t = tree(&["pids", "freezer"]);
    put(t.path(), "pids/cgroup.procs", "");
    let m = manager(t.path(), "/", &["pids", "freezer"]);
    assert_eq!(m.kill().unwrap_err().kind(), ErrorKind::InvalidPath);
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(10));
    assert_eq!(m.set(&r).unwrap_err().kind(), ErrorKind::InvalidPath);
    assert_eq!(m.add_pid(1).unwrap_err().kind(), ErrorKind::InvalidPath);
    assert_eq!(
        m.add_pid_to("", 1).unwrap_err().kind(),
        ErrorKind::InvalidPath
    );
    assert!(!t.path().join("pids/pids.max").exists());
    assert_eq!(read(t.path(), "pids/cgroup.procs"), "");

    let allowed = manager(t.path(), "/", &["pids", "freezer"]).allow_root_writes(true);
    allowed.set(&r).unwrap();
    assert_eq!(read(t.path(), "pids/pids.max"), "10");
    assert_eq!(allowed.kill().unwrap_err().kind(), ErrorKind::InvalidPath);
    // A sub-cgroup of the root is not the root.
    std::fs::create_dir_all(t.path().join("pids/child")).unwrap();
    std::fs::create_dir_all(t.path().join("freezer/child")).unwrap();
    m.add_pid_to("child", 4242).unwrap();
    assert_eq!(read(t.path(), "pids/child/cgroup.procs"), "4242");
}

#[test]
fn add_pid_to_an_empty_sub_cgroup_is_the_cgroup_itself() {
    let t = tree(&["pids"]);
    let m = manager(t.path(), "/job", &["pids"]);
    m.create().unwrap();
    m.add_pid_to("", 4242).unwrap();
    assert_eq!(read(t.path(), "pids/job/cgroup.procs"), "4242");
}

#[test]
fn a_cgroup_in_some_hierarchies_only_exists_and_is_listed() {
    let t = tree(&["devices", "pids", "freezer"]);
    put(t.path(), "pids/job/cgroup.procs", "7\n");
    let m = manager(t.path(), "/job", &["devices", "pids", "freezer"]);
    assert!(m.exists());
    assert_eq!(m.pids().unwrap(), [7]);
    assert_eq!(m.all_pids().unwrap(), [7]);
    assert_eq!(m.freezer_state().unwrap(), FreezerState::Undefined);
    std::fs::remove_dir_all(t.path().join("pids/job")).unwrap();
    assert!(!m.exists());
    assert_eq!(m.pids().unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn walks_reach_sub_cgroups_whose_names_are_not_utf8() {
    let t = tree(&["pids", "freezer"]);
    put(t.path(), "pids/job/cgroup.procs", "");
    put(t.path(), "pids/job/a/cgroup.procs", "11\n");
    let raw: PathBuf = Path::new("pids/job").join(bad()).join("cgroup.procs");
    put(t.path(), raw, "12\n");
    let m = manager(t.path(), "/job", &["pids", "freezer"]);
    let mut pids = m.all_pids().unwrap();
    pids.sort_unstable();
    assert_eq!(pids, [11, 12]);
}

#[test]
fn destroy_removes_sub_cgroups_whose_names_are_not_utf8() {
    let t = tree(&["pids", "freezer"]);
    let m = manager(t.path(), "/job", &["pids", "freezer"]);
    m.create().unwrap();
    for h in ["pids", "freezer"] {
        std::fs::create_dir_all(t.path().join(h).join("job").join(bad()).join("in")).unwrap();
    }
    m.destroy().unwrap();
    assert!(!t.path().join("pids/job").exists());
    assert!(!t.path().join("freezer/job").exists());
}
