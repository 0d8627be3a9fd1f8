//! [`spawn_in`] with a fake manager whose `cgroup.procs` are plain files: the child
//! must write `0` to each before it execs.
// The fake procs files are made with std::fs in tests only.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use super::*;
use crate::{FreezerState, Resources};

#[derive(Debug)]
struct FakeManager {
    procs: Vec<PathBuf>,
    writable: bool,
}

fn unused<T>() -> Result<T> {
    Err(Error::new(ErrorKind::Io, "not used by this test"))
}

impl Manager for FakeManager {
    fn create(&self) -> Result<()> {
        unused()
    }
    fn add_pid(&self, _: u32) -> Result<()> {
        unused()
    }
    fn add_pid_to(&self, _: &str, _: u32) -> Result<()> {
        unused()
    }
    fn set(&self, _: &Resources) -> Result<()> {
        unused()
    }
    fn freeze(&self) -> Result<()> {
        unused()
    }
    fn thaw(&self) -> Result<()> {
        unused()
    }
    fn freezer_state(&self) -> Result<FreezerState> {
        unused()
    }
    fn pids(&self) -> Result<Vec<u32>> {
        unused()
    }
    fn all_pids(&self) -> Result<Vec<u32>> {
        unused()
    }
    fn threads(&self) -> Result<Vec<u32>> {
        unused()
    }
    fn kill(&self) -> Result<()> {
        unused()
    }
    fn destroy(&self) -> Result<()> {
        unused()
    }
    fn exists(&self) -> bool {
        true
    }
    fn paths(&self) -> BTreeMap<String, PathBuf> {
        BTreeMap::new()
    }
    fn oom_kill_count(&self) -> Result<u64> {
        unused()
    }
    fn procs_files(&self) -> Result<Vec<File>> {
        let open = |p: &PathBuf| {
            let mut o = OpenOptions::new();
            if self.writable {
                o.write(true)
            } else {
                o.read(true)
            };
            o.open(p)
                .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))
        };
        self.procs.iter().map(open).collect()
    }
    fn cgroup2_dir_fd(&self) -> Option<Result<OwnedFd>> {
        None
    }
}

fn fake(dir: &tempfile::TempDir, n: usize, writable: bool) -> FakeManager {
    let procs = (0..n)
        .map(|i| {
            let p = dir.path().join(format!("procs-{i}"));
            std::fs::write(&p, "").unwrap();
            p
        })
        .collect();
    FakeManager { procs, writable }
}

#[test]
fn child_writes_zero_to_every_procs_file_before_exec() {
    let dir = tempfile::tempdir().unwrap();
    let manager = fake(&dir, 2, true);
    let mut child = spawn_in(&manager, &mut Command::new("true")).unwrap();
    assert!(child.wait().unwrap().success());
    for p in &manager.procs {
        assert_eq!(std::fs::read_to_string(p).unwrap(), "0", "{}", p.display());
    }
}

#[test]
fn failed_join_fails_the_spawn_with_the_errno() {
    let dir = tempfile::tempdir().unwrap();
    let manager = fake(&dir, 1, false);
    let marker = dir.path().join("ran");
    let mut command = Command::new("touch");
    command.arg(&marker);
    let err = spawn_in(&manager, &mut command).unwrap_err();
    assert_eq!(
        err.errno(),
        Some(rustix::io::Errno::BADF.raw_os_error()),
        "{err}"
    );
    assert!(!marker.exists(), "the command ran although joining failed");
}

#[test]
fn respawning_the_command_without_spawn_in_fails_instead_of_escaping() {
    let dir = tempfile::tempdir().unwrap();
    let manager = fake(&dir, 1, true);
    let mut command = Command::new("true");
    spawn_in(&manager, &mut command).unwrap().wait().unwrap();
    let err = command.spawn().unwrap_err();
    assert_eq!(
        err.raw_os_error(),
        Some(rustix::io::Errno::BADF.raw_os_error())
    );
}

#[test]
fn manager_without_procs_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let manager = fake(&dir, 0, true);
    let err = spawn_in(&manager, &mut Command::new("true")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
