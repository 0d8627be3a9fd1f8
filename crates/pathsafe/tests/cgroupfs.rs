//! Real-kernel tests on the machine's cgroupfs, each with openat2 and with the
//! fallback. Hierarchy roots are only read; writes happen only in uniquely named test
//! cgroups (`cgtest-<pid>-...`) that ktest removes on drop.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::PathBuf;

use common::{Resolver, both, read_all};
use ktest::{Failed, Need, Test, TestCgroup};
use pathsafe::{Dir, ErrorKind, FsType, OpenMode};

const EBUSY: i32 = 16;
const ENOENT: i32 = 2;

fn cpu_root() -> Result<PathBuf, Failed> {
    let h = ktest::mounts::v1_hierarchy("cpu").ok_or("no v1 cpu hierarchy")?;
    Ok(h.mount_point.clone())
}

fn unified_root() -> Result<PathBuf, Failed> {
    let h = ktest::mounts::unified_hierarchy().ok_or("no cgroup2 mount")?;
    Ok(h.mount_point.clone())
}

/// Open a real hierarchy root and check what it reports.
fn open_root(path: &PathBuf, want: FsType, resolver: Resolver) -> Dir {
    ktest::assert_cgroupfs(path).expect("cgroupfs");
    let root = Dir::open_cgroup_root(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(root.fs_type(), want);
    assert_eq!(FsType::of(&root).unwrap(), want);
    assert_eq!(root.uses_openat2(), resolver.expects_openat2());
    assert_eq!(root.path(), path);
    root
}

fn v1_cpu_root_is_cgroup1_and_reads_cgroup_procs() -> Result<(), Failed> {
    let path = cpu_root()?;
    both(|resolver| {
        let root = open_root(&path, FsType::Cgroup1, resolver);
        let procs = read_all(root.open_file("cgroup.procs", OpenMode::Read).unwrap());
        for line in procs.lines() {
            line.parse::<u32>()
                .unwrap_or_else(|_| panic!("not a pid: {line:?}"));
        }
        let err = root.open_file("no-such-file", OpenMode::Read).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        // v1 lookups are BENEATH|NO_MAGICLINKS only (v1 has one mount per hierarchy).
        assert!(!err.to_string().contains("RESOLVE_NO_XDEV"), "{err}");
    });
    Ok(())
}

fn unified_root_is_cgroup2_and_reads_controllers() -> Result<(), Failed> {
    let path = unified_root()?;
    both(|resolver| {
        let root = open_root(&path, FsType::Cgroup2, resolver);
        let text = read_all(
            root.open_file("cgroup.controllers", OpenMode::Read)
                .unwrap(),
        );
        assert!(text.ends_with('\n') || text.is_empty(), "{text:?}");
        let err = root.open_file("no-such-file", OpenMode::Read).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        if resolver.expects_openat2() {
            let text = err.to_string();
            assert!(
                text.contains("RESOLVE_NO_XDEV|RESOLVE_NO_SYMLINKS"),
                "{text}"
            );
        }
    });
    Ok(())
}

/// Create, list, refuse to remove while busy, and remove a child cgroup.
fn child_cgroup_lifecycle(root_path: &PathBuf, want: FsType, cg: &TestCgroup, r: Resolver) {
    let root = open_root(root_path, want, r);
    let dir = root.open_dir(cg.name()).unwrap();
    assert_eq!(FsType::of(&dir).unwrap(), want);
    assert_eq!(dir.path(), cg.path());
    assert!(dir.create_dir("child").unwrap());
    assert!(!dir.create_dir("child").unwrap());
    assert_eq!(dir.sub_dirs().unwrap(), ["child"]);
    assert!(dir.exists("child/cgroup.procs").unwrap());
    let procs = read_all(dir.open_file("child/cgroup.procs", OpenMode::Read).unwrap());
    assert_eq!(procs, "");
    let busy = root.remove_dir(cg.name()).unwrap_err();
    assert_eq!(busy.errno(), Some(EBUSY), "{busy}");
    assert!(busy.to_string().contains("EBUSY"), "{busy}");
    dir.remove_dir("child").unwrap();
    let gone = dir.remove_dir("child").unwrap_err();
    assert_eq!(
        (gone.kind(), gone.errno()),
        (ErrorKind::NotFound, Some(ENOENT))
    );
    for name in ["../x", "..", "a/b", "memory.max\0", ""] {
        assert_eq!(
            dir.create_dir(name).unwrap_err().kind(),
            ErrorKind::InvalidName
        );
    }
    let sneaky = "hugetlb.../2MB.limit_in_bytes";
    let err = dir.open_file(sneaky, OpenMode::Write).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

fn v1_child_cgroup_create_list_busy_remove() -> Result<(), Failed> {
    let path = cpu_root()?;
    let mut outcome = Ok(());
    both(|resolver| {
        let cg = TestCgroup::new_v1("cpu", "pathsafe").expect("test cgroup");
        child_cgroup_lifecycle(&path, FsType::Cgroup1, &cg, resolver);
        if let Err(e) = cg.remove() {
            outcome = Err(e);
        }
    });
    outcome
}

fn unified_child_cgroup_create_list_busy_remove() -> Result<(), Failed> {
    let path = unified_root()?;
    let mut outcome = Ok(());
    both(|resolver| {
        let cg = TestCgroup::new_unified("pathsafe").expect("test cgroup");
        child_cgroup_lifecycle(&path, FsType::Cgroup2, &cg, resolver);
        if let Err(e) = cg.remove() {
            outcome = Err(e);
        }
    });
    outcome
}

fn main() {
    ktest::main(vec![
        Test::new(
            "v1_cpu_root_is_cgroup1_and_reads_cgroup_procs",
            v1_cpu_root_is_cgroup1_and_reads_cgroup_procs,
        )
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "unified_root_is_cgroup2_and_reads_controllers",
            unified_root_is_cgroup2_and_reads_controllers,
        )
        .needs(Need::Unified),
        Test::new(
            "v1_child_cgroup_create_list_busy_remove",
            v1_child_cgroup_create_list_busy_remove,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "unified_child_cgroup_create_list_busy_remove",
            unified_child_cgroup_create_list_busy_remove,
        )
        .needs(Need::Root)
        .needs(Need::Unified),
    ])
}
