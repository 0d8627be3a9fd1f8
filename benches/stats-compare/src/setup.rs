//! The benchmark cgroup: one name in every v1 hierarchy, a sleeping child in all
//! of them except memory (no process ever joins a v1 memory cgroup on this
//! host), removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The v1 hierarchies the benchmark cgroup is created in.
pub const HIERARCHIES: [&str; 8] = [
    "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
];

/// A cgroup `cgtest-<pid>-<tag>` in every v1 hierarchy.
#[derive(Debug)]
pub struct BenchCgroup {
    name: String,
    made: Vec<PathBuf>,
    child: Option<Child>,
}

impl BenchCgroup {
    /// Creates the cgroups and moves a `sleep` child into all but memory.
    pub fn create(tag: &str) -> std::io::Result<BenchCgroup> {
        let name = format!("cgtest-{}-{tag}", std::process::id());
        let mut cg = BenchCgroup {
            name,
            made: Vec::new(),
            child: None,
        };
        for h in HIERARCHIES {
            let dir = Path::new("/sys/fs/cgroup").join(h).join(&cg.name);
            std::fs::create_dir(&dir)?;
            cg.made.push(dir);
        }
        let cpuset = cg.path("cpuset");
        for f in ["cpuset.cpus", "cpuset.mems"] {
            let parent = std::fs::read_to_string(Path::new("/sys/fs/cgroup/cpuset").join(f))?;
            std::fs::write(cpuset.join(f), parent.trim())?;
        }
        let child = Command::new("sleep")
            .arg("3600")
            .stdin(Stdio::null())
            .spawn()?;
        let pid = child.id().to_string();
        cg.child = Some(child);
        for h in HIERARCHIES.iter().filter(|h| **h != "memory") {
            std::fs::write(cg.path(h).join("cgroup.procs"), &pid)?;
        }
        Ok(cg)
    }

    /// The name relative to each hierarchy root.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The directory in hierarchy `h`.
    pub fn path(&self, h: &str) -> PathBuf {
        Path::new("/sys/fs/cgroup").join(h).join(&self.name)
    }
}

impl Drop for BenchCgroup {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        for dir in self.made.iter().rev() {
            for _ in 0..100 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
}
