//! Walks on fake trees: raw names, and wide or deep trees under a low fd limit.
// Tests build their fixture trees with std::fs; the code under test goes through
// pathsafe.
#![allow(clippy::disallowed_methods)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{CHECKPOINTS, WINDOW, testing};
use crate::{CgroupDir, ErrorKind, TestTree};

fn open(root: &Path) -> CgroupDir {
    let opts = TestTree {
        require_cgroupfs: false,
        create_on_write: false,
    };
    CgroupDir::open_test_root(root, opts).expect("open test root")
}

fn procs(dir: &Path, pids: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("cgroup.procs"), pids).expect("write");
}

/// `bad\xff`, as `mkdir "$(printf 'bad\xff')"` makes it.
fn bad() -> &'static OsStr {
    OsStr::from_bytes(b"bad\xff")
}

#[test]
fn all_pids_walks_into_a_child_whose_name_is_not_utf8() {
    let t = tempfile::tempdir().unwrap();
    procs(t.path(), "1\n");
    procs(&t.path().join("a"), "2\n");
    procs(&t.path().join(bad()), "3\n");
    procs(&t.path().join(bad()).join("deeper"), "4\n");
    let cg = open(t.path());
    let mut pids = cg.all_pids().unwrap();
    pids.sort_unstable();
    assert_eq!(pids, [1, 2, 3, 4]);
    let names = cg.child_names().unwrap();
    assert!(names.iter().any(|n| n == bad()), "{names:?}");
    assert_eq!(cg.open_child_name(bad()).unwrap().pids().unwrap(), [3]);
    let err = cg.children().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath);
    assert!(err.to_string().contains("sub_dir_names"), "{err}");
}

#[test]
fn remove_tree_removes_children_whose_names_are_not_utf8() {
    let t = tempfile::tempdir().unwrap();
    let c = t.path().join("c");
    std::fs::create_dir_all(c.join(bad()).join("x").join(bad())).unwrap();
    std::fs::create_dir_all(c.join("plain")).unwrap();
    let cg = open(t.path());
    cg.remove_tree("c").unwrap();
    assert!(!c.exists());
}

#[test]
fn create_child_all_refuses_a_path_longer_than_the_limit_and_creates_nothing() {
    let t = tempfile::tempdir().unwrap();
    let cg = open(t.path());
    let rel = vec!["x"; crate::CgroupPath::MAX_LEN / 2 + 1].join("/");
    assert!(rel.len() > crate::CgroupPath::MAX_LEN);
    let err = cg.create_child_all(&rel).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath, "{err}");
    assert!(!t.path().join("x").exists());
}

/// Set in the child process that runs the fd-limited walks.
const FD_CHILD_ENV: &str = "CGROUPS_CORE_WALK_FD_CHILD";

/// The fd limit of that child: far below the 1,100 fds the old walks needed, well
/// above what the bounded walk holds (`WINDOW + CHECKPOINTS` plus a few).
const FD_LIMIT: u64 = 128;

const WIDE: usize = 1100;
const DEEP: usize = 1100;

/// `root/x/x/.../x` with `depth` levels.
fn chain(root: &Path, depth: usize) -> PathBuf {
    let mut path = root.to_path_buf();
    for _ in 0..depth {
        path.push("x");
    }
    path
}

fn build_trees(root: &Path) {
    // wide: 1,100 child cgroups with a process each; wide-empty: the same, empty.
    procs(&root.join("wide"), "");
    for i in 0..WIDE {
        procs(
            &root.join(format!("wide/c{i}")),
            &format!("{}\n", 10_000 + i),
        );
        std::fs::create_dir_all(root.join(format!("wide-empty/c{i}"))).unwrap();
    }
    // deep: a 1,100-level chain with one process per level; deep-empty: empty.
    let mut level = root.join("deep");
    procs(&level, "");
    for i in 0..DEEP {
        level.push("x");
        procs(&level, &format!("{}\n", 20_000 + i));
    }
    std::fs::create_dir_all(chain(&root.join("deep-empty"), DEEP)).unwrap();
}

/// The child's part: lower the fd limit, then walk and remove.
fn walks_under_a_low_fd_limit(root: &Path) {
    let limit = rustix::process::Rlimit {
        current: Some(FD_LIMIT),
        maximum: Some(FD_LIMIT),
    };
    rustix::process::setrlimit(rustix::process::Resource::Nofile, limit).unwrap();
    let cg = open(root);
    let wide = cg.open_child("wide").unwrap().all_pids().unwrap();
    assert_eq!(wide.len(), WIDE);
    let deep = cg.open_child("deep").unwrap().all_pids().unwrap();
    assert_eq!(deep.len(), DEEP);
    assert!(
        deep.contains(&(20_000 + DEEP as u32 - 1)),
        "deepest level missed"
    );
    cg.remove_tree("wide-empty").unwrap();
    cg.remove_tree("deep-empty").unwrap();
    assert!(!root.join("wide-empty").exists());
    assert!(!root.join("deep-empty").exists());
}

#[test]
fn wide_and_deep_trees_are_walked_and_removed_with_few_fds() {
    if let Some(root) = std::env::var_os(FD_CHILD_ENV) {
        // This process is the child started below.
        walks_under_a_low_fd_limit(Path::new(&root));
        return;
    }
    let t = tempfile::tempdir().unwrap();
    build_trees(t.path());
    let name = "walk::tests::wide_and_deep_trees_are_walked_and_removed_with_few_fds";
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(FD_CHILD_ENV, t.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
    assert!(!t.path().join("deep-empty").exists());
}

#[test]
fn the_walk_holds_at_most_window_plus_checkpoints_fds() {
    let t = tempfile::tempdir().unwrap();
    let deepest = chain(&t.path().join("c"), 300);
    std::fs::create_dir_all(deepest.join("side")).unwrap();
    // A side branch at every 10th level, so the walk climbs back through the chain.
    let mut level = t.path().join("c");
    for i in 0..300 {
        level.push("x");
        if i % 10 == 0 {
            std::fs::create_dir_all(level.join("branch/leaf")).unwrap();
        }
    }
    let cg = open(t.path());
    testing::take_most();
    cg.remove_tree("c").unwrap();
    let most = testing::take_most();
    assert!(!t.path().join("c").exists());
    assert!(most > WINDOW, "the walk never went deep: {most}");
    assert!(most <= WINDOW + CHECKPOINTS + 1, "{most} fds held at once");
}
