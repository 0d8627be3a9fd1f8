//! The verified procfs handle on the machine's /proc, with openat2 and the fallback.
#![allow(clippy::disallowed_methods)]

mod common;

use common::{both, read_all};
use pathsafe::{ErrorKind, OpenMode, ProcBase, ProcFs};

fn pid() -> u32 {
    std::process::id()
}

fn tid() -> i32 {
    rustix::thread::gettid().as_raw_nonzero().get()
}

#[test]
fn self_process_resolves_to_our_pid() {
    both(|resolver| {
        let proc = ProcFs::open().unwrap();
        assert_eq!(proc.uses_openat2(), resolver.expects_openat2());
        let status = proc
            .read_to_string(ProcBase::SelfProcess, "status")
            .unwrap();
        assert!(status.contains(&format!("\nPid:\t{}\n", pid())), "{status}");
        let by_pid = proc
            .read_to_string(ProcBase::Pid(pid()), "cmdline")
            .unwrap();
        let by_self = proc
            .read_to_string(ProcBase::SelfProcess, "cmdline")
            .unwrap();
        assert_eq!(by_pid, by_self);
    });
}

#[test]
fn thread_self_resolves_to_our_task() {
    both(|_| {
        let proc = ProcFs::open().unwrap();
        let stat = proc.read_to_string(ProcBase::ThreadSelf, "stat").unwrap();
        assert!(stat.starts_with(&format!("{} (", tid())), "{stat}");
        // Another thread sees its own task directory.
        let other = std::thread::spawn(move || {
            let stat = proc.read_to_string(ProcBase::ThreadSelf, "stat").unwrap();
            (stat, tid())
        });
        let (stat, other_tid) = other.join().unwrap();
        assert!(stat.starts_with(&format!("{other_tid} (")), "{stat}");
        assert_ne!(other_tid, tid());
    });
}

#[test]
fn root_base_reads_system_wide_files() {
    both(|_| {
        let proc = ProcFs::open().unwrap();
        let filesystems = proc.read_to_string(ProcBase::Root, "filesystems").unwrap();
        assert!(filesystems.contains("\tproc\n"), "{filesystems}");
        let file = proc
            .open_file(ProcBase::Root, "sys/kernel/ostype", OpenMode::Read)
            .unwrap();
        assert_eq!(read_all(file), "Linux\n");
    });
}

#[test]
fn mountinfo_of_self_parses_and_shows_proc() {
    both(|_| {
        let proc = ProcFs::open().unwrap();
        let mounts = proc.mountinfo(ProcBase::SelfProcess).unwrap();
        assert!(
            mounts
                .iter()
                .any(|m| m.mount_point == "/proc" && m.fs_type == "proc")
        );
        let thread = proc.mountinfo(ProcBase::ThreadSelf).unwrap();
        assert_eq!(thread.len(), mounts.len());
        let err = proc.mountinfo(ProcBase::Root).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    });
}

#[test]
fn a_missing_pid_is_not_found() {
    both(|_| {
        let proc = ProcFs::open().unwrap();
        let err = proc
            .read_to_string(ProcBase::Pid(u32::MAX), "status")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.path().unwrap().starts_with("/proc/4294967295"), "{err}");
    });
}
