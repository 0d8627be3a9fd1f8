//! Magic links: `/proc/self/root` and `/proc/self/fd/N` as symlink targets inside a
//! tree, and the real magic links reached through procfs.

use std::os::fd::AsRawFd;

use pathsafe::{Dir, ErrorKind, OpenMode, ProcBase, ProcFs, TestRoot};

use crate::common::{Fixture, both};
use crate::{assert_dir_refuses, refused};

#[test]
fn symlinks_to_proc_magic_links_inside_a_tree_are_refused() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("cg");
        // Hold the sentinel open so that /proc/self/fd/N really leads to it.
        let held = std::fs::OpenOptions::new()
            .append(true)
            .open(fx.secret())
            .unwrap();
        let fd = held.as_raw_fd();
        let base = fx.base().to_string_lossy().into_owned();
        fx.link("root_link", "/proc/self/root")
            .link("fd_link", format!("/proc/self/fd/{fd}"))
            .link("thread_link", format!("/proc/thread-self/fd/{fd}"))
            .link(
                "cg/rel_proc",
                "../../../../../../../../../../proc/self/root",
            )
            .link("cwd_link", "/proc/self/cwd");
        let root = fx.open(true);
        let via_root = format!("root_link{base}/secret");
        let cases = [
            "root_link",
            &via_root,
            "fd_link",
            "thread_link",
            "cg/rel_proc",
            "cwd_link",
        ];
        for rel in cases {
            assert_dir_refuses(&root, rel, ErrorKind::Escape);
        }
        drop(held);
        fx.assert_untouched();
    });
}

#[test]
fn real_magic_links_beneath_a_procfs_directory_are_refused() {
    both(|_| {
        let fx = Fixture::new();
        let held = std::fs::OpenOptions::new()
            .append(true)
            .open(fx.secret())
            .unwrap();
        let fd = held.as_raw_fd();
        // /proc/self is resolved once, when the root is opened, to /proc/<pid>.
        let opts = TestRoot {
            require_cgroupfs: false,
            create_on_write: true,
            ..Default::default()
        };
        let proc_self = Dir::open_test_root("/proc/self", opts).unwrap();
        let secret_via_root = format!("root{}", fx.secret().display());
        let fd_rel = format!("fd/{fd}");
        for rel in [secret_via_root.as_str(), &fd_rel, "cwd", "exe", "root"] {
            assert_dir_refuses(&proc_self, rel, ErrorKind::Loop);
        }
        drop(held);
        fx.assert_untouched();
    });
}

#[test]
fn procfs_handle_refuses_magic_links_and_symlinks() {
    both(|resolver| {
        let fx = Fixture::new();
        let held = std::fs::OpenOptions::new()
            .append(true)
            .open(fx.secret())
            .unwrap();
        let fd_rel = format!("fd/{}", held.as_raw_fd());
        let secret_via_root = format!("root{}", fx.secret().display());
        let proc = ProcFs::open().unwrap();
        assert_eq!(proc.uses_openat2(), resolver.expects_openat2());
        let cases = [
            (ProcBase::SelfProcess, secret_via_root.as_str()),
            (ProcBase::SelfProcess, fd_rel.as_str()),
            (ProcBase::ThreadSelf, fd_rel.as_str()),
            (ProcBase::SelfProcess, "cwd"),
            (ProcBase::Pid(std::process::id()), "exe"),
            (ProcBase::Root, "self/status"),
            (ProcBase::Root, "thread-self/status"),
            (ProcBase::Root, "mounts"),
        ];
        for (base, rel) in cases {
            for mode in [OpenMode::Read, OpenMode::Write] {
                let case = format!("{base:?} {rel} {mode:?}");
                refused(proc.open_file(base, rel, mode), ErrorKind::Loop, &case);
            }
        }
        for rel in ["..", "../..", "/etc/passwd", "fd/../../1/root", "fd//0"] {
            let case = format!("SelfProcess {rel:?}");
            let result = proc.open_file(ProcBase::SelfProcess, rel, OpenMode::Read);
            refused(result, ErrorKind::InvalidName, &case);
        }
        drop(held);
        fx.assert_untouched();
    });
}

#[test]
fn procfs_readlink_reads_a_magic_link_without_following_it() {
    both(|_| {
        let fx = Fixture::new();
        let held = std::fs::File::open(fx.secret()).unwrap();
        let proc = ProcFs::open().unwrap();
        let rel = format!("fd/{}", held.as_raw_fd());
        let target = proc.readlink(ProcBase::ThreadSelf, &rel).unwrap();
        assert_eq!(target, fx.secret().to_string_lossy());
        let err = proc.readlink(ProcBase::SelfProcess, "status").unwrap_err();
        assert_eq!(err.errno(), Some(22), "EINVAL for a non-link: {err}");
        fx.assert_untouched();
    });
}
