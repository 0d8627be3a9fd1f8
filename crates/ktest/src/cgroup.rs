//! [`TestCgroup`]: a uniquely named cgroup that a test owns and that is removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::cleanup::{PREFIX, remove_tree};
use crate::mounts::{self, Hierarchy};
use crate::need::memory_attach_allowed;
use crate::{Failed, assert_cgroupfs};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A test cgroup `<hierarchy mount>/cgtest-<pid>-<tag>-<n>`, created by the test and
/// removed when dropped (also on panic): registered children are killed, the tree is
/// awaited empty for a bounded time and removed depth-first.
///
/// A cgroup in a v1 memory hierarchy never receives a process unless the run allows it
/// ([`crate::Need::V1MemoryAttach`]): [`Self::adopt_child`], [`Self::attach`] and
/// [`Self::spawn_child`] refuse there.
#[derive(Debug)]
pub struct TestCgroup {
    path: PathBuf,
    root: PathBuf,
    name: String,
    v1_memory: bool,
    adopted: Mutex<Vec<u32>>,
    spawned: Mutex<Vec<Child>>,
    removed: AtomicBool,
}

impl TestCgroup {
    /// Creates a test cgroup at the root of the v1 hierarchy that carries `controller`.
    pub fn new_v1(controller: &str, tag: &str) -> Result<TestCgroup, Failed> {
        let h = mounts::v1_hierarchy(controller)
            .ok_or_else(|| format!("no v1 hierarchy with controller {controller} is mounted"))?;
        Self::create(h, tag)
    }

    /// Creates a test cgroup at the root of the cgroup2 hierarchy.
    pub fn new_unified(tag: &str) -> Result<TestCgroup, Failed> {
        let h = mounts::unified_hierarchy().ok_or("no cgroup2 hierarchy is mounted")?;
        Self::create(h, tag)
    }

    /// A fresh unique relative name `cgtest-<pid>-<tag>-<n>`, creating nothing: for
    /// tests where the library under test creates the cgroup (pair it with
    /// [`crate::cleanup_guard`]).
    ///
    /// # Panics
    /// If `tag` is not made of ASCII letters, digits, `_` and `-` (a bug in the test).
    pub fn name_for(tag: &str) -> String {
        if let Err(e) = check_tag(tag) {
            panic!("{}", e.message().unwrap_or("bad tag"));
        }
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("{PREFIX}{}-{tag}-{n}", std::process::id())
    }

    fn create(h: &Hierarchy, tag: &str) -> Result<TestCgroup, Failed> {
        check_tag(tag)?;
        assert_cgroupfs(&h.mount_point)?;
        let name = Self::name_for(tag);
        let path = h.mount_point.join(&name);
        std::fs::create_dir(&path).map_err(|e| format!("mkdir {}: {e}", path.display()))?;
        let cgroup = TestCgroup {
            path,
            root: h.mount_point.clone(),
            name,
            v1_memory: h.is_v1_memory(),
            adopted: Mutex::new(Vec::new()),
            spawned: Mutex::new(Vec::new()),
            removed: AtomicBool::new(false),
        };
        // On failure the guard drops here and removes the directory it just made.
        assert_cgroupfs(&cgroup.path)?;
        Ok(cgroup)
    }

    /// The absolute path of the cgroup directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The mount point of the hierarchy it is in (its parent directory).
    pub fn hierarchy_root(&self) -> &Path {
        &self.root
    }

    /// The name relative to the hierarchy root, e.g. `cgtest-123-freeze-0`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Registers a child process of the test to be killed (SIGKILL) before removal, if it
    /// is still in this cgroup tree then. Refused in a v1 memory hierarchy unless
    /// memory attach is allowed in this run.
    pub fn adopt_child(&self, pid: u32) -> Result<(), Failed> {
        self.check_may_receive(pid)?;
        lock(&self.adopted).push(pid);
        Ok(())
    }

    /// Moves process `pid` into this cgroup by writing `cgroup.procs`. Refused in a v1
    /// memory hierarchy unless memory attach is allowed in this run. Does not adopt.
    pub fn attach(&self, pid: u32) -> Result<(), Failed> {
        self.check_may_receive(pid)?;
        let procs = self.path.join("cgroup.procs");
        crate::cleanup::write_existing(&procs, &pid.to_string())
            .map_err(|e| format!("write {pid} to {}: {e}", procs.display()))?;
        Ok(())
    }

    /// Starts `sleep 600` as a child of the test, moves it into this cgroup and adopts
    /// it; it is killed and reaped on drop. Returns its pid.
    pub fn spawn_child(&self) -> Result<u32, Failed> {
        self.check_may_receive(0)?;
        let child = Command::new("sleep")
            .arg("600")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn sleep: {e}"))?;
        let pid = child.id();
        lock(&self.spawned).push(child);
        self.attach(pid)?;
        lock(&self.adopted).push(pid);
        Ok(pid)
    }

    /// The pids in this cgroup's own `cgroup.procs`.
    pub fn procs(&self) -> Vec<u32> {
        crate::cleanup::pids_in(std::slice::from_ref(&self.path))
    }

    /// Removes the cgroup now (as drop does) and reports a failure to remove it.
    pub fn remove(self) -> Result<(), Failed> {
        self.remove_now()
    }

    fn remove_now(&self) -> Result<(), Failed> {
        if self.removed.swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        let kill = std::mem::take(&mut *lock(&self.adopted));
        let result = remove_tree(&self.path, &kill);
        for mut child in std::mem::take(&mut *lock(&self.spawned)) {
            let _ = child.kill();
            let _ = child.wait();
        }
        result
    }

    fn check_may_receive(&self, pid: u32) -> Result<(), Failed> {
        if self.v1_memory && !memory_attach_allowed() {
            return Err(format!(
                "refusing to put process {pid} into {}: no process may join a v1 memory \
                 cgroup on this host (needs Need::V1MemoryAttach, the v1 VM tier)",
                self.path.display()
            )
            .into());
        }
        Ok(())
    }
}

impl Drop for TestCgroup {
    fn drop(&mut self) {
        if let Err(e) = self.remove_now() {
            eprintln!("ktest cleanup: {}", e.message().unwrap_or("?"));
        }
    }
}

fn check_tag(tag: &str) -> Result<(), Failed> {
    let ok = !tag.is_empty()
        && tag.len() <= 40
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match ok {
        true => Ok(()),
        false => Err(format!("bad test cgroup tag {tag:?}: use [A-Za-z0-9_-], 1-40 bytes").into()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
