//! Child processes of the real-kernel tests: this test binary re-executed in a
//! "child mode" (no shell or other tools needed, so it works in the busybox VMs),
//! and a guard that kills and reaps them.
//!
//! Every mode first waits until it is inside the cgroup named by `FS2_WAIT_CGROUP`
//! (the test moves it there with `add_pid`), so nothing it does happens outside
//! the test cgroup; every mode ends by itself after [`LIFETIME`].

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use ktest::Failed;

/// Longest life of any child process.
const LIFETIME: Duration = Duration::from_secs(60);
const MODE: &str = "FS2_CHILD";
const WAIT_CGROUP: &str = "FS2_WAIT_CGROUP";

/// What a child does once inside its cgroup.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Prints a line every 20 ms.
    Heartbeat,
    /// Starts a short-lived child (which sleeps 300 ms) every 10 ms and reaps them;
    /// prints `fork-failed` when the kernel refuses a fork (pids limit).
    ForkLoop,
    /// Allocates and touches memory, 8 MiB at a time, up to 1 GiB.
    Hog,
    /// Allocates and touches 64 MiB, 8 MiB at a time, prints `held` and keeps it.
    Hog64,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Heartbeat => "heartbeat",
            Mode::ForkLoop => "forkloop",
            Mode::Hog => "hog",
            Mode::Hog64 => "hog64",
        }
    }
}

/// Runs the child mode if this process is a child; returns otherwise.
pub fn run_child_mode_if_asked() {
    let Ok(mode) = std::env::var(MODE) else {
        return;
    };
    let start = Instant::now();
    if let Ok(name) = std::env::var(WAIT_CGROUP) {
        while !in_cgroup(&name) {
            if start.elapsed() > Duration::from_secs(10) {
                std::process::exit(3);
            }
            sleep(Duration::from_millis(5));
        }
    }
    match mode.as_str() {
        "heartbeat" => heartbeat(start),
        "forkloop" => fork_loop(start),
        "sleep" => sleep(Duration::from_millis(300)),
        "hog" => hog(start),
        "hog64" => hold_64_mib(start),
        _ => std::process::exit(2),
    }
    std::process::exit(0);
}

fn in_cgroup(name: &str) -> bool {
    cgroups_core::ProcCgroup::of_process(None)
        .ok()
        .and_then(|p| p.unified)
        .is_some_and(|path| path.split('/').any(|c| c == name))
}

fn heartbeat(start: Instant) {
    let mut out = std::io::stdout();
    while start.elapsed() < LIFETIME {
        if writeln!(out, "beat").and_then(|()| out.flush()).is_err() {
            return;
        }
        sleep(Duration::from_millis(20));
    }
}

fn fork_loop(start: Instant) {
    let mut kids: Vec<Child> = Vec::new();
    let mut out = std::io::stdout();
    while start.elapsed() < LIFETIME {
        match Command::new(exe())
            .env(MODE, "sleep")
            .stdout(Stdio::null())
            .spawn()
        {
            Ok(child) => kids.push(child),
            Err(_) => {
                let _ = writeln!(out, "fork-failed").and_then(|()| out.flush());
            }
        }
        kids.retain_mut(|k| !matches!(k.try_wait(), Ok(Some(_))));
        sleep(Duration::from_millis(10));
    }
}

fn hog(start: Instant) {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    while start.elapsed() < LIFETIME {
        if kept.len() < 128 {
            kept.push(vec![1u8; 8 << 20]);
        }
        sleep(Duration::from_millis(5));
    }
    std::hint::black_box(&kept);
}

fn hold_64_mib(start: Instant) {
    let kept: Vec<Vec<u8>> = (0..8).map(|_| vec![1u8; 8 << 20]).collect();
    let mut out = std::io::stdout();
    let _ = writeln!(out, "held").and_then(|()| out.flush());
    while start.elapsed() < LIFETIME {
        sleep(Duration::from_millis(50));
    }
    std::hint::black_box(&kept);
}

fn exe() -> std::path::PathBuf {
    std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into())
}

/// Children of one test; killed (SIGKILL) and reaped on drop.
#[derive(Debug, Default)]
pub struct Kids {
    children: Vec<Child>,
}

impl Kids {
    /// Starts a child in `mode` that waits to be moved into the cgroup `name` (the
    /// last component of the test cgroup's path). Its stdout lines are counted.
    pub fn spawn(&mut self, mode: Mode, name: &str) -> Result<(u32, Counter), Failed> {
        let mut child = Command::new(exe())
            .env(MODE, mode.name())
            .env(WAIT_CGROUP, name)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", mode.name()))?;
        let counter = Counter::default();
        if let Some(out) = child.stdout.take() {
            let c = counter.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    match line {
                        Ok(l) if l == "fork-failed" => c.failed.fetch_add(1, Ordering::Relaxed),
                        Ok(_) => c.lines.fetch_add(1, Ordering::Relaxed),
                        Err(_) => return,
                    };
                }
            });
        }
        let pid = child.id();
        self.children.push(child);
        Ok((pid, counter))
    }

    /// Waits for child `pid` to end and returns the signal that ended it, if any.
    pub fn wait_signal(&mut self, pid: u32) -> Result<Option<i32>, Failed> {
        use std::os::unix::process::ExitStatusExt;
        let i = self
            .children
            .iter()
            .position(|c| c.id() == pid)
            .ok_or("unknown child")?;
        let mut child = self.children.remove(i);
        let status = child.wait().map_err(|e| format!("wait {pid}: {e}"))?;
        Ok(status.signal())
    }
}

impl Drop for Kids {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Lines a child printed (heartbeats) and refused forks it reported.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    lines: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

impl Counter {
    /// Heartbeat lines so far.
    pub fn lines(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }

    /// Refused forks so far.
    pub fn failed_forks(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

/// Polls `cond` every 10 ms until it holds or `limit` passes.
pub fn wait_until(
    limit: Duration,
    what: &str,
    mut cond: impl FnMut() -> bool,
) -> Result<(), Failed> {
    let start = Instant::now();
    while !cond() {
        if start.elapsed() > limit {
            return Err(format!("timed out after {limit:?} waiting for {what}").into());
        }
        sleep(Duration::from_millis(10));
    }
    Ok(())
}
