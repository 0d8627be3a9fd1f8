//! Removing a test cgroup tree: thaw, kill the test's own children, wait, rmdir
//! depth-first with retries.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::Failed;

/// The prefix of every cgroup a test makes; cleanup refuses to remove anything else.
pub const PREFIX: &str = "cgtest-";

/// How long cleanup waits for killed processes to leave a cgroup tree.
const EMPTY_WAIT: Duration = Duration::from_secs(5);
/// How often rmdir is retried while the kernel still reports EBUSY.
const RMDIR_TRIES: u32 = 100;
const RMDIR_PAUSE: Duration = Duration::from_millis(20);

/// Removes the cgroup directory `root` and every cgroup below it.
///
/// Before removing, it thaws frozen cgroups (v1 `freezer.state`, v2 `cgroup.freeze`),
/// sends SIGKILL to those of `kill` that are still in the tree (never to any other
/// process), and waits a bounded time for the tree to be empty. `root`'s own name must
/// start with [`PREFIX`] and it must be on cgroupfs. A missing `root` is not an error.
pub fn remove_tree(root: &Path, kill: &[u32]) -> Result<(), Failed> {
    if !root.exists() {
        return Ok(());
    }
    let named_ok = root
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(PREFIX));
    if !named_ok {
        return Err(format!(
            "refusing to remove {}: not a {PREFIX}* cgroup",
            root.display()
        )
        .into());
    }
    crate::assert_cgroupfs(root)?;

    let dirs = subtree_post_order(root);
    for dir in dirs.iter().rev() {
        thaw(dir);
    }
    let present = pids_in(&dirs);
    for pid in kill.iter().filter(|p| present.contains(p)) {
        if let Some(pid) = rustix::process::Pid::from_raw(*pid as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
    }
    let deadline = Instant::now() + EMPTY_WAIT;
    while !pids_in(&dirs).is_empty() && Instant::now() < deadline {
        sleep(Duration::from_millis(10));
    }
    for dir in &dirs {
        rmdir_retrying(dir)?;
    }
    Ok(())
}

/// Every directory below `root` and `root` itself, children before their parent.
fn subtree_post_order(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.filter_map(Result::ok) {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(subtree_post_order(&entry.path()));
            }
        }
    }
    out.push(root.to_path_buf());
    out
}

fn thaw(dir: &Path) {
    // Killed tasks of a frozen v1 cgroup die only once thawed; v2 lets SIGKILL through
    // but a thawed tree empties faster. Errors mean "no such controller here".
    let _ = write_existing(&dir.join("freezer.state"), "THAWED");
    let _ = write_existing(&dir.join("cgroup.freeze"), "0");
}

/// Writes `value` to an existing interface file (never creates one).
pub(crate) fn write_existing(file: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).open(file)?;
    f.write_all(value.as_bytes())
}

/// The pids listed in `cgroup.procs` of any of `dirs`.
pub(crate) fn pids_in(dirs: &[PathBuf]) -> Vec<u32> {
    dirs.iter()
        .filter_map(|d| std::fs::read_to_string(d.join("cgroup.procs")).ok())
        .flat_map(|text| {
            text.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

fn rmdir_retrying(dir: &Path) -> Result<(), Failed> {
    let mut last = None;
    for _ in 0..RMDIR_TRIES {
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::BUSY.raw_os_error()) => {
                last = Some(e);
                sleep(RMDIR_PAUSE);
            }
            Err(e) => return Err(format!("rmdir {}: {e}", dir.display()).into()),
        }
    }
    let procs = pids_in(&[dir.to_path_buf()]);
    Err(format!(
        "rmdir {}: still busy after {RMDIR_TRIES} tries ({}), processes left: {procs:?}; \
         `cargo xtask clean` removes it once they are gone",
        dir.display(),
        last.map(|e| e.to_string()).unwrap_or_default()
    )
    .into())
}

/// Removes test cgroup directories on drop, for tests where the library under test
/// creates the cgroup (see [`crate::TestCgroup::name_for`]). Made by [`cleanup_guard`].
#[derive(Debug)]
#[must_use = "the directories are removed when the guard is dropped"]
pub struct CleanupGuard {
    paths: Vec<PathBuf>,
}

/// Returns a guard that removes each of `paths` (a `cgtest-*` cgroup directory and its
/// subtree) when dropped, also when the test panics. Paths that do not exist are
/// skipped; paths not named `cgtest-*` or not on cgroupfs are left alone and reported.
pub fn cleanup_guard(paths: Vec<PathBuf>) -> CleanupGuard {
    CleanupGuard { paths }
}

impl CleanupGuard {
    /// Removes the directories now and reports the first failure.
    pub fn remove(mut self) -> Result<(), Failed> {
        let paths = std::mem::take(&mut self.paths);
        let mut first = Ok(());
        for path in paths.iter().rev() {
            if let Err(e) = remove_tree(path, &[]) {
                first = first.and(Err(e));
            }
        }
        first
    }
}

impl Drop for CleanupGuard {
    fn drop(&mut self) {
        for path in self.paths.iter().rev() {
            if let Err(e) = remove_tree(path, &[]) {
                eprintln!("ktest cleanup: {}", e.message().unwrap_or("?"));
            }
        }
    }
}
