//! [`EventWatcher`]: cgroup events as they happen, without polling loops.
//!
//! The kernel notifies changes of cgroup v2 `cgroup.events` and
//! `memory.events` to `poll(2)` as `POLLPRI` (kernfs notification); PSI
//! triggers (a write of `some|full <stall µs> <window µs>` to an open pressure
//! file) also wake `poll(2)` with `POLLPRI`; the v1 OOM notification is an
//! `eventfd(2)` registered through `cgroup.event_control`. The watcher holds
//! those descriptors and sleeps in one `poll(2)` until something happens.

mod sources;

use std::time::Duration;

use cgroups_core::CgroupDir;
use rustix::event::{PollFd, PollFlags, Timespec};

use crate::error::{Error, Result};
use crate::psi::PressureResource;
use sources::{Source, SourceKind};

/// One thing that happened to a watched cgroup.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// v2 `cgroup.events` `populated` changed: processes appeared (`true`) in
    /// the cgroup or its descendants, or the last one left (`false`).
    Populated(bool),
    /// v2 `cgroup.events` `frozen` changed.
    Frozen(bool),
    /// v2 `memory.events` `oom` went up: the limit was hit and the OOM killer
    /// ran (or would have). `total` is the new count.
    Oom {
        /// The counter's value now.
        total: u64,
    },
    /// v2 `memory.events` `oom_kill` went up: processes were killed.
    OomKill {
        /// The counter's value now.
        total: u64,
    },
    /// v2 `memory.events` `max` went up: usage was about to exceed `memory.max`.
    MemoryMax {
        /// The counter's value now.
        total: u64,
    },
    /// v2 `memory.events` `high` went up: reclaim was throttled at
    /// `memory.high`.
    MemoryHigh {
        /// The counter's value now.
        total: u64,
    },
    /// A PSI trigger fired: the stall time in the window passed the threshold.
    Pressure(PressureResource),
    /// The v1 OOM notification fired (`count` notifications since the last).
    V1Oom {
        /// Notifications counted by the eventfd.
        count: u64,
    },
}

/// Which tasks a PSI trigger counts.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PressureKind {
    /// At least one task stalled.
    Some,
    /// All non-idle tasks stalled at once.
    Full,
}

/// A PSI trigger: fire when tasks stalled at least `stall` within `window`.
///
/// The kernel takes windows from 500 ms to 10 s; without `CAP_SYS_RESOURCE`
/// (unprivileged, or root without it, as on some hosts) the window must be a
/// multiple of 2 s.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PressureTrigger {
    /// Which tasks count.
    pub kind: PressureKind,
    /// Stall time that fires the trigger.
    pub stall: Duration,
    /// The tracking window.
    pub window: Duration,
}

impl PressureTrigger {
    /// Fires when `kind` tasks stalled at least `stall` within `window`.
    pub fn new(kind: PressureKind, stall: Duration, window: Duration) -> Self {
        PressureTrigger {
            kind,
            stall,
            window,
        }
    }
}

/// Waits for events of one or more cgroups (see the module docs).
///
/// ```no_run
/// use cgroup_stats::{EventWatcher, PressureKind, PressureResource, PressureTrigger};
/// use cgroups_core::CgroupDir;
/// use std::time::Duration;
///
/// let dir = CgroupDir::open_root("/sys/fs/cgroup")?.open_child("jobs/build-42")?;
/// let mut watcher = EventWatcher::new();
/// watcher.watch_cgroup_events(&dir)?;
/// watcher.watch_memory_events(&dir)?;
/// let trigger = PressureTrigger::new(
///     PressureKind::Some,
///     Duration::from_millis(150),
///     Duration::from_secs(2),
/// );
/// watcher.watch_pressure(&dir, PressureResource::Memory, trigger)?;
/// let mut events = Vec::new();
/// loop {
///     watcher.wait(None, &mut events)?;
///     for e in events.drain(..) {
///         println!("{e:?}");
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct EventWatcher {
    sources: Vec<Source>,
    buf: Vec<u8>,
}

impl EventWatcher {
    /// A watcher with nothing to watch yet.
    pub fn new() -> EventWatcher {
        EventWatcher {
            sources: Vec::new(),
            buf: vec![0; 4096],
        }
    }

    /// Watches v2 `cgroup.events` (populated, frozen).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) on v1 or for a
    /// removed cgroup; read and parse errors of the file.
    pub fn watch_cgroup_events(&mut self, dir: &CgroupDir) -> Result<()> {
        let source = Source::kernfs(dir, "cgroup.events", SourceKind::CgroupEvents)?;
        self.add(source)
    }

    /// Watches v2 `memory.events` (oom, oom_kill, max, high).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when the memory
    /// controller is not enabled for the cgroup.
    pub fn watch_memory_events(&mut self, dir: &CgroupDir) -> Result<()> {
        let source = Source::kernfs(dir, "memory.events", SourceKind::MemoryEvents)?;
        self.add(source)
    }

    /// Sets a PSI trigger on the cgroup's pressure file of `resource` and
    /// watches it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) without the PSI
    /// file; [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) when the
    /// kernel refuses the trigger (window out of range, or not a multiple of
    /// 2 s without `CAP_SYS_RESOURCE`).
    pub fn watch_pressure(
        &mut self,
        dir: &CgroupDir,
        resource: PressureResource,
        trigger: PressureTrigger,
    ) -> Result<()> {
        let source = Source::pressure(dir, resource, trigger)?;
        self.add(source)
    }

    /// Registers for the v1 OOM notification of a memory cgroup
    /// (`cgroup.event_control` with `memory.oom_control` and an eventfd).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) when the
    /// directory has no `cgroup.event_control` (v2, or a kernel built without
    /// it).
    pub fn watch_v1_oom(&mut self, memory_dir: &CgroupDir) -> Result<()> {
        let source = Source::v1_oom(memory_dir)?;
        self.add(source)
    }

    fn add(&mut self, mut source: Source) -> Result<()> {
        source.baseline(&mut self.buf)?;
        self.sources.push(source);
        Ok(())
    }

    /// Sleeps in `poll(2)` until at least one event happened or `timeout`
    /// passed (`None`: no timeout), and appends the events to `out`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Gone`](crate::ErrorKind::Gone) when a watched cgroup was
    /// removed; other poll or read errors.
    pub fn wait(&mut self, timeout: Option<Duration>, out: &mut Vec<Event>) -> Result<()> {
        if self.sources.is_empty() {
            return Err(Error::unsupported(
                "the watcher watches nothing; add a source first",
                std::path::PathBuf::new(),
            ));
        }
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let before = out.len();
        while out.len() == before {
            let left = match deadline {
                Some(d) => match d.checked_duration_since(std::time::Instant::now()) {
                    Some(left) => Some(left),
                    None => return Ok(()),
                },
                None => None,
            };
            let ready = self.poll(left)?;
            for (i, flags) in ready.into_iter().enumerate() {
                if !flags.is_empty() {
                    self.sources[i].on_ready(flags, &mut self.buf, out)?;
                }
            }
        }
        Ok(())
    }

    fn poll(&self, timeout: Option<Duration>) -> Result<Vec<PollFlags>> {
        let mut fds: Vec<PollFd<'_>> = self
            .sources
            .iter()
            .map(|s| PollFd::from_borrowed_fd(s.poll_fd(), s.poll_flags()))
            .collect();
        let ts = timeout.map(|t| Timespec {
            tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        loop {
            match rustix::event::poll(&mut fds, ts.as_ref()) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => {
                    return Err(Error::syscall(
                        "poll(2) on the watched files failed",
                        None,
                        e,
                    ));
                }
            }
        }
        Ok(fds.iter().map(PollFd::revents).collect())
    }
}
