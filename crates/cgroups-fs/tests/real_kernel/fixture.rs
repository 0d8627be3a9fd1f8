//! The fixture every test works in, and small helpers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use cgroups_core::{CgroupPath, Config, Manager};
use cgroups_fs::FsManager;
use ktest::{CleanupGuard, Failed, TestCgroup, ensure};

/// The child mode of this binary: allocate and touch this many MiB, then exit.
pub const ALLOCATE_ENV: &str = "CGROUPS_FS_TEST_ALLOCATE_MIB";

/// A manager on a fresh `cgtest-*` cgroup, cleaned up on drop (also on panic).
pub struct Fixture {
    pub m: FsManager,
    children: Vec<Child>,
    _guard: CleanupGuard,
}

impl Fixture {
    /// `path` below the top-level test cgroup: `""` or `"inner"` (nested).
    pub fn new(tag: &str, controllers: Option<&[&str]>, inner: &str) -> Result<Fixture, Failed> {
        let top = TestCgroup::name_for(tag);
        let path = match inner {
            "" => format!("/{top}"),
            inner => format!("/{top}/{inner}"),
        };
        let mut config = Config::new(CgroupPath::parse(&path)?);
        if let Some(list) = controllers {
            config = config.controllers(list.iter().copied());
        }
        let m = FsManager::new(config)?;
        let tops: Vec<PathBuf> = m.paths().values().map(|p| top_dir(p, &top)).collect();
        let guard = ktest::cleanup_guard(tops);
        Ok(Fixture {
            m,
            children: Vec::new(),
            _guard: guard,
        })
    }

    /// Creates the cgroup and checks each directory is on cgroupfs.
    pub fn create(&self) -> Result<(), Failed> {
        self.m.create()?;
        for (controller, path) in self.m.paths() {
            ensure!(path.is_dir(), "{controller}: {} missing", path.display());
            ktest::assert_cgroupfs(&path)?;
        }
        Ok(())
    }

    pub fn path(&self, controller: &str) -> Result<PathBuf, Failed> {
        let paths = self.m.paths();
        let p = paths
            .get(controller)
            .ok_or(format!("no {controller} path"))?;
        Ok(p.clone())
    }

    pub fn read(&self, controller: &str, file: &str) -> Result<String, Failed> {
        let path = self.path(controller)?.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        Ok(text.trim().to_owned())
    }

    /// Starts `sh -c script` waiting on stdin, moves it into the cgroup, and returns
    /// the pipe that starts it (write a line).
    pub fn spawn_joined(&mut self, script: &str) -> Result<(u32, ChildStdin), Failed> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("read go; {script}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn sh: {e}"))?;
        let pid = child.id();
        let stdin = child.stdin.take().ok_or("no stdin")?;
        self.children.push(child);
        self.m.add_pid(pid)?;
        Ok((pid, stdin))
    }
}

impl Fixture {
    /// Waits for the test's own children (after they were killed).
    pub fn reap(&mut self) {
        for child in &mut self.children {
            let _ = child.wait();
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.m.kill();
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.m.destroy();
    }
}

/// `<mount>/cgtest-...` for a cgroup path below it.
pub fn top_dir(path: &Path, top: &str) -> PathBuf {
    let mut p = path.to_path_buf();
    while p.file_name().is_some_and(|n| n != top) && p.pop() {}
    p
}

pub fn start(stdin: &mut ChildStdin) -> Result<(), Failed> {
    stdin.write_all(b"go\n")?;
    stdin.flush()?;
    Ok(())
}

pub fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) -> Result<(), Failed> {
    let deadline = Instant::now() + timeout;
    while !f() {
        ensure!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}
