//! The prober: this test binary re-executed in a child mode that opens a denied and
//! an allowed device node, once or in a loop, after the test has moved it into the
//! cgroup (it waits for a `go` line on stdin first).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ktest::Failed;
use rustix::fs::{Mode, OFlags};

const MODE: &str = "CGROUPS_DEVICES_PROBE";
/// Longest life of a prober.
const LIFETIME: Duration = Duration::from_secs(120);

/// The errno of opening `path` read-only, or 0 when it opened.
fn try_open(path: &str) -> i32 {
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY;
    match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(_) => 0,
        Err(e) => e.raw_os_error(),
    }
}

/// Runs the child mode if asked to; returns otherwise.
pub fn run_if_asked() {
    let Ok(mode) = std::env::var(MODE) else {
        return;
    };
    let mut stdin = BufReader::new(std::io::stdin());
    let mut go = String::new();
    if stdin.read_line(&mut go).is_err() || go.trim() != "go" {
        std::process::exit(3);
    }
    let mut out = std::io::stdout();
    if mode == "once" {
        let _ = writeln!(out, "{} {}", try_open("/dev/null"), try_open("/dev/zero"));
        std::process::exit(0);
    }
    // Loop until stdin closes.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        let _ = stdin.read_to_end(&mut Vec::new());
        flag.store(true, Ordering::Relaxed);
    });
    let _ = writeln!(out, "started").and_then(|()| out.flush());
    let start = Instant::now();
    let (mut rounds, mut null_opened, mut zero_failed, mut zero_errno) = (0u64, 0u64, 0u64, 0);
    while !stop.load(Ordering::Relaxed) && start.elapsed() < LIFETIME {
        if try_open("/dev/null") == 0 {
            null_opened += 1;
        }
        let errno = try_open("/dev/zero");
        if errno != 0 {
            zero_failed += 1;
            zero_errno = errno;
        }
        rounds += 1;
    }
    let _ = writeln!(out, "{rounds} {null_opened} {zero_failed} {zero_errno}");
    std::process::exit(0);
}

/// A running prober, killed on drop.
pub struct Prober {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

/// What a looping prober saw.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    pub rounds: u64,
    pub null_opened: u64,
    pub zero_failed: u64,
    pub zero_errno: i32,
}

impl Prober {
    /// Starts a prober (`once` or `loop`); it waits for [`Prober::go`].
    pub fn spawn(mode: &str) -> Result<Prober, Failed> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .env(MODE, mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Prober {
            child,
            stdin,
            stdout,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn line(&mut self) -> Result<String, Failed> {
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        Ok(line.trim().to_owned())
    }

    /// Lets it start (call after moving it into the cgroup).
    pub fn go(&mut self) -> Result<(), Failed> {
        let stdin = self.stdin.as_mut().ok_or("already stopped")?;
        stdin.write_all(b"go\n")?;
        stdin.flush()?;
        Ok(())
    }

    /// For `once`: the errnos of opening /dev/null and /dev/zero (0 = opened).
    pub fn once(&mut self) -> Result<(i32, i32), Failed> {
        self.go()?;
        let line = self.line()?;
        let (null, zero) = line
            .split_once(' ')
            .ok_or(format!("prober said {line:?}"))?;
        Ok((null.parse()?, zero.parse()?))
    }

    /// For `loop`: starts probing and waits until it does.
    pub fn start_loop(&mut self) -> Result<(), Failed> {
        self.go()?;
        let line = self.line()?;
        ktest::ensure_eq!(line, "started");
        Ok(())
    }

    /// For `loop`: stops it and returns what it saw.
    pub fn stop(&mut self) -> Result<Tally, Failed> {
        drop(self.stdin.take());
        let line = self.line()?;
        let n: Vec<u64> = line
            .split(' ')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("prober said {line:?}: {e}"))?;
        ktest::ensure_eq!(n.len(), 4, "prober said {line:?}");
        Ok(Tally {
            rounds: n[0],
            null_opened: n[1],
            zero_failed: n[2],
            zero_errno: i32::try_from(n[3])?,
        })
    }
}

impl Drop for Prober {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
