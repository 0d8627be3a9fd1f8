//! The sources an [`EventWatcher`](super::EventWatcher) polls.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use cgroups_core::{Access, CgroupDir};
use rustix::event::{EventfdFlags, PollFlags};
use rustix::io::Errno;

use super::{Event, PressureKind, PressureTrigger};
use crate::error::{Error, Result};
use crate::parse::{cgroup_events, memory_events};
use crate::psi::PressureResource;

pub(crate) enum SourceKind {
    CgroupEvents,
    MemoryEvents,
    Pressure(PressureResource),
    V1Oom,
}

/// One watched file (and for v1 OOM its eventfd), with the last values seen.
pub(crate) struct Source {
    kind: SourceKind,
    file: File,
    eventfd: Option<OwnedFd>,
    path: PathBuf,
    dir: CgroupDir,
    last: [Option<u64>; 4],
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn open(dir: &CgroupDir, name: &str, access: Access) -> Result<(File, PathBuf)> {
    let path = dir.path().join(name);
    let file = dir
        .open_file(name, access)
        .map_err(|e| Error::from_core(e, path.clone()))?;
    Ok((file, path))
}

fn clone_dir(dir: &CgroupDir) -> Result<CgroupDir> {
    dir.try_clone()
        .map_err(|e| Error::from_core(e, dir.path().to_path_buf()))
}

impl Source {
    pub(crate) fn kernfs(dir: &CgroupDir, name: &str, kind: SourceKind) -> Result<Source> {
        let (file, path) = open(dir, name, Access::Read)?;
        Ok(Source {
            kind,
            file,
            eventfd: None,
            path,
            dir: clone_dir(dir)?,
            last: [None; 4],
        })
    }

    pub(crate) fn pressure(
        dir: &CgroupDir,
        resource: PressureResource,
        trigger: PressureTrigger,
    ) -> Result<Source> {
        let (mut file, path) = open(dir, resource.file_name(), Access::ReadWrite)?;
        let kind = match trigger.kind {
            PressureKind::Some => "some",
            PressureKind::Full => "full",
        };
        let text = format!(
            "{kind} {} {}",
            trigger.stall.as_micros(),
            trigger.window.as_micros()
        );
        // The trigger must be one write(2) including the NUL the kernel expects
        // at most; a plain string works.
        if let Err(err) = file.write_all(text.as_bytes()) {
            let problem = format!(
                "the kernel refused the PSI trigger {text:?} ({err}); windows are \
                 500 ms..10 s, multiples of 2 s without CAP_SYS_RESOURCE"
            );
            return Err(Error::unsupported(problem, path));
        }
        Ok(Source {
            kind: SourceKind::Pressure(resource),
            file,
            eventfd: None,
            path,
            dir: clone_dir(dir)?,
            last: [None; 4],
        })
    }

    pub(crate) fn v1_oom(dir: &CgroupDir) -> Result<Source> {
        let control_path = dir.path().join("cgroup.event_control");
        if !dir.exists("cgroup.event_control") {
            let problem = "no cgroup.event_control: the v1 OOM notification needs a v1 \
                           memory cgroup";
            return Err(Error::unsupported(problem, control_path));
        }
        let (oom_control, path) = open(dir, "memory.oom_control", Access::Read)?;
        let efd = rustix::event::eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)
            .map_err(|e| Error::syscall("eventfd(2) failed", None, e))?;
        let (mut control, control_path) = open(dir, "cgroup.event_control", Access::Write)?;
        let line = format!("{} {}", efd.as_raw_fd(), oom_control.as_raw_fd());
        control
            .write_all(line.as_bytes())
            .map_err(|e| Error::from_io(e, control_path))?;
        Ok(Source {
            kind: SourceKind::V1Oom,
            file: oom_control,
            eventfd: Some(efd),
            path,
            dir: clone_dir(dir)?,
            last: [None; 4],
        })
    }

    pub(crate) fn poll_fd(&self) -> BorrowedFd<'_> {
        match &self.eventfd {
            Some(efd) => efd.as_fd(),
            None => self.file.as_fd(),
        }
    }

    pub(crate) fn poll_flags(&self) -> PollFlags {
        match self.kind {
            SourceKind::V1Oom => PollFlags::IN,
            _ => PollFlags::PRI,
        }
    }

    /// Reads the current values so that only changes become events.
    pub(crate) fn baseline(&mut self, buf: &mut [u8]) -> Result<()> {
        let mut ignored = Vec::new();
        self.on_ready(PollFlags::PRI, buf, &mut ignored)
    }

    pub(crate) fn on_ready(
        &mut self,
        flags: PollFlags,
        buf: &mut [u8],
        out: &mut Vec<crate::events::Event>,
    ) -> Result<()> {
        match self.kind {
            SourceKind::V1Oom => self.drain_eventfd(out),
            SourceKind::Pressure(resource) => {
                if flags.contains(PollFlags::ERR) && !self.dir.exists("cgroup.procs") {
                    return Err(Error::gone(self.path.clone(), None));
                }
                // A trigger fires once per window; the first poll after
                // setting it (the baseline) reports nothing.
                if self.last[0].replace(1).is_some() {
                    out.push(Event::Pressure(resource));
                }
                Ok(())
            }
            SourceKind::CgroupEvents | SourceKind::MemoryEvents => self.reread(buf, out),
        }
    }

    fn reread(&mut self, buf: &mut [u8], out: &mut Vec<Event>) -> Result<()> {
        let n = match self.file.read_at(buf, 0) {
            Ok(n) => n,
            Err(e) if e.raw_os_error() == Some(Errno::NODEV.raw_os_error()) => {
                return Err(Error::gone(self.path.clone(), e.raw_os_error()));
            }
            Err(e) => return Err(Error::from_io(e, self.path.clone())),
        };
        let text = &buf[..n];
        let tag = |e: Error| e.in_file(self.path.clone());
        let now: [Option<u64>; 4] = match self.kind {
            SourceKind::CgroupEvents => {
                let e = cgroup_events(text).map_err(tag)?;
                [
                    Some(u64::from(e.populated)),
                    e.frozen.map(u64::from),
                    None,
                    None,
                ]
            }
            _ => {
                let e = memory_events(text).map_err(tag)?;
                [e.oom, e.oom_kill, e.max, e.high]
            }
        };
        let before = std::mem::replace(&mut self.last, now);
        let first = before.iter().all(Option::is_none);
        if first {
            return Ok(());
        }
        match self.kind {
            SourceKind::CgroupEvents => {
                if let (Some(a), Some(b)) = (before[0], now[0])
                    && a != b
                {
                    out.push(Event::Populated(b != 0));
                }
                if let (Some(a), Some(b)) = (before[1], now[1])
                    && a != b
                {
                    out.push(Event::Frozen(b != 0));
                }
            }
            _ => {
                let grew = |i: usize| match (before[i], now[i]) {
                    (Some(a), Some(b)) if b > a => Some(b),
                    _ => None,
                };
                if let Some(total) = grew(0) {
                    out.push(Event::Oom { total });
                }
                if let Some(total) = grew(1) {
                    out.push(Event::OomKill { total });
                }
                if let Some(total) = grew(2) {
                    out.push(Event::MemoryMax { total });
                }
                if let Some(total) = grew(3) {
                    out.push(Event::MemoryHigh { total });
                }
            }
        }
        Ok(())
    }

    fn drain_eventfd(&mut self, out: &mut Vec<Event>) -> Result<()> {
        let Some(efd) = &self.eventfd else {
            return Ok(());
        };
        let mut bytes = [0u8; 8];
        match rustix::io::read(efd, &mut bytes) {
            Ok(8) => {
                let count = u64::from_ne_bytes(bytes);
                if self.last[0].replace(1).is_some() {
                    out.push(Event::V1Oom { count });
                }
                Ok(())
            }
            Ok(_) | Err(Errno::AGAIN) => {
                self.last[0] = Some(1);
                if !self.dir.exists("cgroup.procs") {
                    return Err(Error::gone(self.path.clone(), None));
                }
                Ok(())
            }
            Err(e) => Err(Error::syscall("read(2) of the OOM eventfd failed", None, e)),
        }
    }
}
