//! The device prober: the running test binary re-executed in a child mode that opens
//! `/dev/null` and `/dev/zero` read-only, once or in a loop, after the test has moved
//! it into a cgroup with device rules. It waits for a `go` line on stdin first, so the
//! test can move it before it opens anything.
//!
//! A test binary that uses it calls [`run_if_asked`] first thing in `main`: in the
//! child (environment variable `CGROUPS_DEVICES_PROBE` set to `once` or `loop`) that
//! call probes and exits; in the test itself it returns at once.
//!
//! ```no_run
//! use ktest::prober::{self, Prober};
//!
//! fn main() -> Result<(), ktest::Failed> {
//!     prober::run_if_asked();
//!     // ... make a cgroup whose device rules deny c 1:3 (/dev/null), then:
//!     let errnos = Prober::once_in(|pid| -> Result<(), ktest::Failed> {
//!         // move `pid` into that cgroup
//!         Ok(())
//!     })?;
//!     ktest::ensure_eq!(errnos, (1, 0), "EPERM for /dev/null, /dev/zero opens");
//!     Ok(())
//! }
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::fs::{Mode, OFlags};

use crate::Failed;

/// The environment variable that puts the re-executed binary in prober mode.
const MODE: &str = "CGROUPS_DEVICES_PROBE";
/// Longest life of a prober.
const LIFETIME: Duration = Duration::from_secs(120);
/// How many rule swaps [`swap_while_probing`] makes.
pub const SWAPS: u32 = 1000;
/// The fewest loop rounds a prober must make for a swap test to mean anything.
const MIN_ROUNDS: u64 = 100;

/// The errno of opening `path` read-only, or 0 when it opened.
fn try_open(path: &str) -> i32 {
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY;
    match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(_) => 0,
        Err(e) => e.raw_os_error(),
    }
}

/// Runs the prober's child mode and exits if this process is a prober; returns at
/// once otherwise. Call it first in the `main` of a test binary that spawns probers.
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
#[derive(Debug)]
pub struct Prober {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

/// What a looping prober saw.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    /// Loop rounds (one open of each device per round).
    pub rounds: u64,
    /// Rounds in which `/dev/null` opened.
    pub null_opened: u64,
    /// Rounds in which `/dev/zero` did not open.
    pub zero_failed: u64,
    /// The errno of the last failed `/dev/zero` open (0 when none failed).
    pub zero_errno: i32,
}

impl Tally {
    /// Fails unless `/dev/null` never opened, `/dev/zero` always did and the prober
    /// made enough rounds for that to mean something.
    pub fn ensure_null_refused_zero_opened(&self) -> Result<(), Failed> {
        crate::ensure_eq!(
            self.null_opened,
            0,
            "/dev/null opened during swaps: {self:?}"
        );
        let errno = self.zero_errno;
        crate::ensure_eq!(
            self.zero_failed,
            0,
            "/dev/zero refused (errno {errno}): {self:?}"
        );
        crate::ensure!(self.rounds >= MIN_ROUNDS, "the prober barely ran: {self:?}");
        Ok(())
    }
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

    /// Starts a `once` prober, lets `join` move its pid into the cgroup and returns
    /// what it saw (see [`Prober::once`]).
    pub fn once_in<E: Into<Failed>>(
        join: impl FnOnce(u32) -> Result<(), E>,
    ) -> Result<(i32, i32), Failed> {
        let mut p = Prober::spawn("once")?;
        join(p.pid()).map_err(Into::into)?;
        p.once()
    }

    /// The prober's process id.
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
        crate::ensure_eq!(line, "started");
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
        crate::ensure_eq!(n.len(), 4, "prober said {line:?}");
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

/// Starts a looping prober, lets `join` move it into the cgroup, calls `swap(i)` for
/// `i` in `0..SWAPS` while it probes, then stops it and returns what it saw.
///
/// The time the swaps took is printed on stderr as `SWAPS <what> in ...` (shown with
/// `--nocapture`), e.g. with `what` = `"v1 swaps"`.
pub fn swap_while_probing<E1: Into<Failed>, E2: Into<Failed>>(
    what: &str,
    join: impl FnOnce(u32) -> Result<(), E1>,
    mut swap: impl FnMut(u32) -> Result<(), E2>,
) -> Result<Tally, Failed> {
    let mut p = Prober::spawn("loop")?;
    join(p.pid()).map_err(Into::into)?;
    p.start_loop()?;
    let start = Instant::now();
    for i in 0..SWAPS {
        swap(i).map_err(Into::into)?;
    }
    let elapsed = start.elapsed();
    let tally = p.stop()?;
    eprintln!(
        "{SWAPS} {what} in {elapsed:?} ({:?} each); prober rounds {}",
        elapsed / SWAPS,
        tally.rounds
    );
    Ok(tally)
}
