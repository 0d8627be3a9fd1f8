//! `cgctl events PATH`: OOM kills, populated/frozen changes and pressure events
//! as they happen.

use std::time::Duration;

use cgroup_stats::{EventWatcher, PressureKind, PressureResource, PressureTrigger};
use cgroups_core::{CgroupDir, Hierarchies};
use clap::Args;

use crate::stats_open::relative;
use crate::{Failure, Result};

/// Arguments of `cgctl events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The cgroup, from each hierarchy root (e.g. /cgctl/run-123).
    pub path: String,
    /// Report pressure when tasks stall this many milliseconds in a window.
    #[arg(long, default_value_t = 150, value_name = "MS")]
    pub stall_ms: u64,
    /// The pressure window in seconds (multiples of 2 s without
    /// CAP_SYS_RESOURCE).
    #[arg(long, default_value_t = 2, value_name = "SECS")]
    pub window: u64,
    /// Exit after N events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Exit after SECS seconds (status 0).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

fn failure(e: cgroup_stats::Error) -> Failure {
    Failure::usage(e.to_string())
}

/// Runs `cgctl events`.
pub fn events(args: EventsArgs) -> Result<i32> {
    let h = Hierarchies::detect()?;
    let rel = relative(&args.path);
    let mut w = EventWatcher::new();
    let mut what = Vec::new();
    if let Some(mount) = h.unified_mount() {
        let root = CgroupDir::open_root(mount)?;
        if root.exists(rel) {
            let dir = root.open_child(rel)?;
            w.watch_cgroup_events(&dir).map_err(failure)?;
            what.push("populated/frozen");
            if dir.exists("memory.events") {
                w.watch_memory_events(&dir).map_err(failure)?;
                what.push("oom");
            }
            let trigger = PressureTrigger::new(
                PressureKind::Some,
                Duration::from_millis(args.stall_ms),
                Duration::from_secs(args.window),
            );
            for r in [
                PressureResource::Cpu,
                PressureResource::Memory,
                PressureResource::Io,
            ] {
                if dir.exists(r.file_name()) {
                    w.watch_pressure(&dir, r, trigger).map_err(failure)?;
                    what.push(r.file_name());
                }
            }
        }
    }
    if let Some(memory) = h.v1("memory") {
        let root = CgroupDir::open_root(&memory.mount_point)?;
        if root.exists(rel) {
            w.watch_v1_oom(&root.open_child(rel)?).map_err(failure)?;
            what.push("v1 oom");
        }
    }
    if what.is_empty() {
        return Err(Failure::usage(format!(
            "nothing to watch for {}: it is in neither the cgroup2 hierarchy nor the v1 \
             memory hierarchy (see `cgctl info` and `cgctl ps`)",
            args.path
        )));
    }
    eprintln!("cgctl: watching {} of {}", what.join(", "), args.path);
    let deadline = args
        .timeout
        .map(|s| std::time::Instant::now() + Duration::from_secs(s));
    let mut seen = 0;
    let mut events = Vec::new();
    loop {
        let left = match deadline {
            Some(d) => match d.checked_duration_since(std::time::Instant::now()) {
                Some(left) => Some(left),
                None => return Ok(0),
            },
            None => None,
        };
        w.wait(left, &mut events).map_err(failure)?;
        for e in events.drain(..) {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            println!("{t:.3} {e:?}");
            seen += 1;
            if args.count.is_some_and(|n| seen >= n) {
                return Ok(0);
            }
        }
    }
}
