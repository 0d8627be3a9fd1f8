//! Every fd pathsafe hands out is `O_CLOEXEC`: open roots, directories and files of
//! every kind, spawn a child, and check that none of them is open in it
//! (CVE-2024-21626 leaked a cgroupfs fd into a container this way).
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::HashMap;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::process::Command;

use common::{Fixture, both};
use ktest::{Failed, Need, Test};
use pathsafe::{Dir, OpenMode, ProcBase, ProcFs, Rootfs};

/// Everything we keep open while the child runs.
#[derive(Default)]
struct Held {
    dirs: Vec<Dir>,
    files: Vec<std::fs::File>,
    fds: Vec<OwnedFd>,
    others: Vec<Box<dyn AsFd>>,
}

impl Held {
    fn raw_fds(&self) -> Vec<BorrowedFd<'_>> {
        let mut all: Vec<BorrowedFd<'_>> = self.dirs.iter().map(AsFd::as_fd).collect();
        all.extend(self.files.iter().map(AsFd::as_fd));
        all.extend(self.fds.iter().map(AsFd::as_fd));
        all.extend(self.others.iter().map(|o| o.as_fd()));
        all
    }
}

fn open_everything(fx: &Fixture) -> Held {
    let mut held = Held::default();
    for mount in [
        ktest::mounts::v1_hierarchy("cpu"),
        ktest::mounts::unified_hierarchy(),
    ] {
        let root = Dir::open_cgroup_root(&mount.expect("hierarchy").mount_point).unwrap();
        held.files
            .push(root.open_file("cgroup.procs", OpenMode::Read).unwrap());
        held.dirs.push(root.open_dir("").unwrap());
        held.dirs.push(root.try_clone().unwrap());
        held.dirs.push(root);
    }
    fx.dir("cg/sub").file("cg/f", "x");
    let test_root = fx.open(true);
    held.dirs.push(test_root.open_dir("cg/sub").unwrap());
    held.files
        .push(test_root.open_file("cg/f", OpenMode::ReadWrite).unwrap());
    held.files
        .push(test_root.open_file("cg/new", OpenMode::Write).unwrap());
    held.dirs.push(test_root);

    let proc = ProcFs::open().unwrap();
    held.files.push(
        proc.open_file(ProcBase::ThreadSelf, "stat", OpenMode::Read)
            .unwrap(),
    );
    held.others.push(Box::new(proc));

    let rootfs = Rootfs::open(fx.root()).unwrap();
    held.files
        .push(rootfs.open_file("/cg/f", OpenMode::Read).unwrap());
    held.fds.push(rootfs.resolve("../cg/sub").unwrap().0);
    held.others.push(Box::new(rootfs));
    held
}

/// `fd number -> target` as the child `ls -l /proc/self/fd` sees them.
fn child_fds() -> HashMap<i32, String> {
    let out = Command::new("ls")
        .args(["-l", "/proc/self/fd"])
        .output()
        .expect("run ls");
    assert!(out.status.success(), "ls failed: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (left, target) = line.split_once(" -> ")?;
            let fd = left.rsplit(' ').next()?.parse().ok()?;
            Some((fd, target.to_owned()))
        })
        .collect()
}

fn no_fd_leaks_into_a_child() -> Result<(), Failed> {
    both(|resolver| {
        let fx = Fixture::new();
        let held = open_everything(&fx);
        let proc = ProcFs::open().unwrap();
        let ours: Vec<(i32, String)> = held
            .raw_fds()
            .iter()
            .map(|fd| {
                let flags = rustix::io::fcntl_getfd(fd).unwrap();
                let raw = fd.as_raw_fd();
                assert!(
                    flags.contains(rustix::io::FdFlags::CLOEXEC),
                    "fd {raw} ({resolver})"
                );
                (
                    raw,
                    proc.readlink(ProcBase::SelfProcess, &format!("fd/{raw}"))
                        .unwrap(),
                )
            })
            .collect();
        assert!(ours.len() >= 15, "opened {} fds", ours.len());
        let child = child_fds();
        assert!(child.contains_key(&0), "the child listing works: {child:?}");
        for (raw, target) in &ours {
            let leaked = child.get(raw) == Some(target);
            assert!(
                !leaked,
                "fd {raw} -> {target} leaked into the child ({resolver})"
            );
        }
    });
    Ok(())
}

fn main() {
    ktest::main(vec![
        Test::new("no_fd_leaks_into_a_child", no_fd_leaks_into_a_child)
            .needs(Need::Unified)
            .needs(Need::V1Controller("cpu")),
    ])
}
