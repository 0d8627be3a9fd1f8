//! What the real-kernel test binaries of cgroups-core share: opening a ktest cgroup
//! as a [`CgroupDir`], and [`DirManager`], the smallest [`Manager`] that spawning
//! into such cgroups needs.
// Each test binary uses a part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use cgroups_core::{Access, CgroupDir, ErrorKind, FreezerState, Manager, Resources, Result};
use ktest::{Failed, TestCgroup};

/// Opens the hierarchy root of a test cgroup (checked to be on cgroupfs) and the
/// cgroup itself.
pub fn open(cg: &TestCgroup) -> std::result::Result<(CgroupDir, CgroupDir), Failed> {
    ktest::assert_cgroupfs(cg.hierarchy_root())?;
    let root = CgroupDir::open_root(cg.hierarchy_root())?;
    let dir = root.open_child(cg.name())?;
    Ok((root, dir))
}

/// A manager over test cgroups that ktest made: one of the cgroup2 hierarchy, one of
/// the v1 pids hierarchy, or both (a hybrid cgroup). It lists pids, adds a pid to
/// its main cgroup (the cgroup2 one when there is one) and hands out what spawning
/// uses (`paths`, `procs_files`, `cgroup2_dir_fd`); everything else is an error.
#[derive(Debug)]
pub struct DirManager {
    /// The main cgroup.
    dir: CgroupDir,
    /// When the main cgroup is a cgroup2 one: its hierarchy root and its name there.
    cgroup2: Option<(CgroupDir, String)>,
    /// A v1 pids cgroup besides the cgroup2 one (a hybrid cgroup).
    v1_pids: Option<CgroupDir>,
}

impl DirManager {
    /// A manager over a test cgroup of the cgroup2 hierarchy.
    pub fn unified(cg: &TestCgroup) -> std::result::Result<DirManager, Failed> {
        let (root, dir) = open(cg)?;
        Ok(DirManager {
            dir,
            cgroup2: Some((root, cg.name().to_owned())),
            v1_pids: None,
        })
    }

    /// A manager over a test cgroup of the v1 pids hierarchy.
    pub fn v1_pids(cg: &TestCgroup) -> std::result::Result<DirManager, Failed> {
        let (_, dir) = open(cg)?;
        Ok(DirManager {
            dir,
            cgroup2: None,
            v1_pids: None,
        })
    }

    /// Adds a test cgroup of the v1 pids hierarchy to a cgroup2 manager (making a
    /// hybrid cgroup).
    pub fn with_v1_pids(self, cg: &TestCgroup) -> std::result::Result<DirManager, Failed> {
        let (_, v1) = open(cg)?;
        Ok(DirManager {
            v1_pids: Some(v1),
            ..self
        })
    }

    /// The main cgroup.
    pub fn dir(&self) -> &CgroupDir {
        &self.dir
    }
}

fn unused<T>() -> Result<T> {
    Err(cgroups_core::Error::new(
        ErrorKind::Io,
        "not used by this test",
    ))
}

impl Manager for DirManager {
    fn create(&self) -> Result<()> {
        Ok(())
    }
    fn add_pid(&self, pid: u32) -> Result<()> {
        self.dir.add_pid(pid)
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
        self.dir.pids()
    }
    fn all_pids(&self) -> Result<Vec<u32>> {
        self.dir.all_pids()
    }
    fn threads(&self) -> Result<Vec<u32>> {
        self.dir.threads()
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
        let main = if self.cgroup2.is_some() { "" } else { "pids" };
        let mut paths = BTreeMap::from([(main.to_owned(), self.dir.path().to_path_buf())]);
        if let Some(v1) = &self.v1_pids {
            paths.insert("pids".to_owned(), v1.path().to_path_buf());
        }
        paths
    }
    fn oom_kill_count(&self) -> Result<u64> {
        unused()
    }
    fn procs_files(&self) -> Result<Vec<File>> {
        let dirs = self.v1_pids.iter().chain([&self.dir]);
        dirs.map(|d| d.open_file("cgroup.procs", Access::Write))
            .collect()
    }
    fn cgroup2_dir_fd(&self) -> Option<Result<OwnedFd>> {
        let (root, name) = self.cgroup2.as_ref()?;
        Some(root.open_file(name, Access::Read).map(OwnedFd::from))
    }
}
