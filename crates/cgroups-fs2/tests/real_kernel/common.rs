//! What every real-kernel test of this binary uses: its own cgroup name with a
//! cleanup guard, managers, and reading kernel files through `CgroupDir`.

use std::path::PathBuf;

use cgroups_core::{CgroupDir, CgroupPath, Config, Limit, Resources};
use cgroups_fs2::Fs2Manager;
use ktest::{CleanupGuard, Failed, TestCgroup};

/// The cgroup a test works in: `/<name>` below the cgroup2 mount, removed (with its
/// subtree) when dropped.
#[derive(Debug)]
pub struct Case {
    /// `cgtest-<pid>-<tag>-<n>`.
    pub name: String,
    /// The absolute directory.
    pub dir: PathBuf,
    _guard: CleanupGuard,
}

/// The cgroup2 mount point.
pub fn mount() -> Result<PathBuf, Failed> {
    let h = ktest::mounts::unified_hierarchy().ok_or("no cgroup2 mount")?;
    Ok(h.mount_point.clone())
}

/// A fresh case named after `tag`; nothing is created yet.
pub fn case(tag: &str) -> Result<Case, Failed> {
    let mount = mount()?;
    ktest::assert_cgroupfs(&mount)?;
    let name = TestCgroup::name_for(tag);
    let dir = mount.join(&name);
    Ok(Case {
        _guard: ktest::cleanup_guard(vec![dir.clone()]),
        name,
        dir,
    })
}

impl Case {
    /// The absolute cgroup path of `sub` below this case (`""` = the case itself).
    pub fn path(&self, sub: &str) -> String {
        match sub.is_empty() {
            true => format!("/{}", self.name),
            false => format!("/{}/{sub}", self.name),
        }
    }

    /// A manager (found by mount discovery) for `sub` below this case.
    pub fn manager(&self, sub: &str) -> Result<Fs2Manager, Failed> {
        let config = Config::new(CgroupPath::parse(&self.path(sub))?);
        Ok(Fs2Manager::new(config)?)
    }

    /// Reads `file` of the cgroup `sub` below this case.
    pub fn read(&self, sub: &str, file: &str) -> Result<String, Failed> {
        read(&self.path(sub), file)
    }

    /// Whether the cgroup `sub` below this case exists.
    pub fn exists(&self, sub: &str) -> Result<bool, Failed> {
        let rel = self.path(sub);
        Ok(root()?.exists(rel.trim_start_matches('/')))
    }
}

/// The cgroup2 root, opened through the product's verified file access.
pub fn root() -> Result<CgroupDir, Failed> {
    Ok(CgroupDir::open_root(mount()?)?)
}

/// Reads `file` of the cgroup at absolute path `path` (`/` = the root), trimmed.
pub fn read(path: &str, file: &str) -> Result<String, Failed> {
    let dir = root()?.open_child(path.trim_start_matches('/'))?;
    Ok(dir.read(file)?.trim().to_owned())
}

/// Whether the cgroup2 root enables `controller` for its children.
pub fn root_enables(controller: &str) -> Result<bool, Failed> {
    Ok(read("/", "cgroup.subtree_control")?
        .split_whitespace()
        .any(|c| c == controller))
}

/// Resources with only a memory limit.
pub fn memory_limit(bytes: u64) -> Resources {
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(bytes));
    r
}
