//! `cgctl stats PATH [--json] [--controllers ...] [--watch [SECS]]`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use cgroup_stats::{BlkioOp, Stats};
use cgroups_core::{Hierarchies, Limit};
use clap::Args;

use crate::stats_open::{controllers, open_reader, relative};
use crate::{Failure, Result};

/// Arguments of `cgctl stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The cgroup, from each hierarchy root (e.g. /cgctl/run-123), or a systemd
    /// scope by unit name (cgctl-job.scope) or cgroup (see `cgctl update --help`).
    #[arg(value_name = "TARGET")]
    pub path: String,
    /// How to resolve a unit name: auto, systemd or cgroupfs (see `cgctl run --help`).
    #[arg(long, value_enum, default_value_t = crate::driver::DriverArg::Auto)]
    pub driver: crate::driver::DriverArg,
    /// Print JSON (the Go reference's `cgroups.Stats` field names).
    #[arg(long)]
    pub json: bool,
    /// Read only these, comma-separated: cpu, cpuset, memory, pids, io, hugetlb,
    /// rdma, misc, pressure.
    #[arg(long, value_name = "LIST")]
    pub controllers: Option<String>,
    /// Refresh in place every SECS seconds (default 2), with CPU and I/O rates.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "2")]
    pub watch: Option<f64>,
    /// With --watch: stop after N refreshes (default: until interrupted).
    #[arg(long, value_name = "N", hide = true)]
    pub iterations: Option<u64>,
}

/// Runs `cgctl stats`.
pub fn stats(args: StatsArgs) -> Result<i32> {
    let h = Hierarchies::detect()?;
    let wanted = controllers(args.controllers.as_deref())?;
    let cgroup = cgroup_of(&args)?;
    let mut reader = open_reader(h, relative(&cgroup), wanted)?;
    let read = |r: &mut cgroup_stats::Reader| -> Result<Stats> {
        r.read().cloned().map_err(|e| Failure::usage(e.to_string()))
    };
    let Some(secs) = args.watch else {
        let stats = read(&mut reader)?;
        let text = match args.json {
            true => {
                serde_json::to_string_pretty(&stats).map_err(|e| Failure::usage(e.to_string()))?
            }
            false => render(&args.path, &stats, None),
        };
        println!("{text}");
        return Ok(0);
    };
    if !(0.1..=3600.0).contains(&secs) {
        return Err(Failure::usage("--watch takes 0.1 to 3600 seconds"));
    }
    let mut before = (Instant::now(), read(&mut reader)?);
    let mut shown = 0;
    loop {
        std::thread::sleep(Duration::from_secs_f64(secs));
        let now = (Instant::now(), read(&mut reader)?);
        let dt = now.0.duration_since(before.0).as_secs_f64();
        let text = match args.json {
            true => serde_json::to_string(&now.1).map_err(|e| Failure::usage(e.to_string()))?,
            false => format!(
                "\x1b[H\x1b[2J{}",
                render(&args.path, &now.1, Some((&before.1, dt)))
            ),
        };
        println!("{text}");
        before = now;
        shown += 1;
        if args.iterations.is_some_and(|n| shown >= n) {
            return Ok(0);
        }
    }
}

/// The cgroup path of the target (the root stays the root).
fn cgroup_of(args: &StatsArgs) -> Result<String> {
    use crate::target::{Access, Target, resolve};
    if relative(&args.path).is_empty() {
        return Ok(String::new());
    }
    match resolve(&args.path, args.driver, Access::Read)? {
        Target::Cgroup(path) => Ok(path.to_string()),
        Target::Unit(unit) => Ok(unit.cgroup_path()),
        Target::MissingUnit(name) => {
            Err(Failure::usage(format!("systemd has no unit {name} loaded")))
        }
    }
}

/// Human-readable size.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{n} B"),
        _ => format!("{v:.1} {}", UNITS[unit]),
    }
}

fn limit(l: Option<Limit>) -> String {
    match l {
        Some(Limit::Max) => "max".to_owned(),
        Some(Limit::Value(v)) => bytes(v),
        None => "-".to_owned(),
    }
}

fn io_total(s: &Stats, op: BlkioOp) -> (u64, u64) {
    let Some(b) = &s.blkio else { return (0, 0) };
    let sum =
        |v: &[cgroup_stats::BlkioEntry]| v.iter().filter(|e| e.op == op).map(|e| e.value).sum();
    (
        sum(&b.io_service_bytes_recursive),
        sum(&b.io_serviced_recursive),
    )
}

/// The table of `cgctl stats`; with `prev` (and seconds since), rates too.
pub fn render(path: &str, s: &Stats, prev: Option<(&Stats, f64)>) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "cgroup {path}");
    if let Some(cpu) = &s.cpu {
        if let Some(u) = &cpu.usage {
            let secs = |ns: u64| ns as f64 / 1e9;
            let _ = write!(
                o,
                "cpu       total {:.3} s  user {:.3} s  system {:.3} s",
                secs(u.total_ns),
                secs(u.user_ns),
                secs(u.system_ns)
            );
            let before =
                prev.and_then(|(p, dt)| Some((p.cpu.as_ref()?.usage.as_ref()?.total_ns, dt)));
            if let Some((then, dt)) = before {
                let pct = u.total_ns.saturating_sub(then) as f64 / 1e9 / dt * 100.0;
                let _ = write!(o, "  now {pct:.1}% of a CPU");
            }
            let _ = writeln!(o, "  ({} CPUs listed)", u.percpu_ns.len());
        }
        if let Some(t) = cpu.throttling {
            let _ = writeln!(
                o,
                "throttle  {} of {} periods, {:.3} s",
                t.throttled_periods,
                t.periods,
                t.throttled_time_ns as f64 / 1e9
            );
        }
        if let Some(b) = cpu.burst {
            let _ = writeln!(
                o,
                "burst     {} bursts, {:.3} s",
                b.bursts,
                b.burst_time_ns as f64 / 1e9
            );
        }
    }
    if let Some(m) = &s.memory {
        let _ = write!(
            o,
            "memory    {} of {}",
            bytes(m.usage.usage),
            limit(m.usage.limit)
        );
        if let (Some(Limit::Value(max)), true) = (m.usage.limit, m.usage.usage > 0) {
            let _ = write!(o, " ({:.1}%)", m.usage.usage as f64 * 100.0 / max as f64);
        }
        if let Some(peak) = m.usage.max_usage {
            let _ = write!(o, "  peak {}", bytes(peak));
        }
        if let Some(cache) = m.cache {
            let _ = write!(o, "  cache {}", bytes(cache));
        }
        let _ = writeln!(o);
        if let Some(sw) = m.swap_only_usage {
            let _ = writeln!(o, "swap      {} of {}", bytes(sw.usage), limit(sw.limit));
        }
        if let Some(k) = m.kernel_usage {
            let _ = writeln!(o, "kernel    {}", bytes(k.usage));
        }
        let kills = m
            .events
            .and_then(|e| e.oom_kill)
            .or(m.oom_control.and_then(|o| o.oom_kill));
        if let Some(k) = kills {
            let _ = writeln!(o, "oom kills {k}");
        }
    }
    if let Some(p) = s.pids {
        let peak = p.peak.map_or(String::new(), |v| format!("  peak {v}"));
        let _ = match (p.source.is_counter(), p.limit) {
            (true, limit) => {
                let max = match limit {
                    Some(Limit::Value(v)) => v.to_string(),
                    Some(Limit::Max) => "max".to_owned(),
                    None => "-".to_owned(),
                };
                writeln!(o, "pids      {} of {max}{peak}", p.current)
            }
            // No pids controller: a count of this cgroup's own list, not of
            // its subtree's tasks (cgroup_stats::PidsSource).
            (false, _) => writeln!(
                o,
                "pids      {} in {} (pids controller off, this cgroup only)",
                p.current,
                p.source.file_name()
            ),
        };
    }
    if s.blkio.is_some() {
        let (rb, rio) = io_total(s, BlkioOp::Read);
        let (wb, wio) = io_total(s, BlkioOp::Write);
        let _ = write!(
            o,
            "io        read {} ({rio} ops)  write {} ({wio} ops)",
            bytes(rb),
            bytes(wb)
        );
        if let Some((p, dt)) = prev {
            let (prb, _) = io_total(p, BlkioOp::Read);
            let (pwb, _) = io_total(p, BlkioOp::Write);
            let rate = |a: u64, b: u64| bytes((a.saturating_sub(b) as f64 / dt) as u64);
            let _ = write!(
                o,
                "  now {}/s read, {}/s write",
                rate(rb, prb),
                rate(wb, pwb)
            );
        }
        let _ = writeln!(o);
    }
    if let Some(c) = &s.cpuset {
        let list = |l: &cgroup_stats::IdList| {
            let r: Vec<String> = l
                .ranges()
                .iter()
                .map(|(a, b)| match a == b {
                    true => a.to_string(),
                    false => format!("{a}-{b}"),
                })
                .collect();
            if r.is_empty() {
                "(inherit)".to_owned()
            } else {
                r.join(",")
            }
        };
        let _ = writeln!(
            o,
            "cpuset    cpus {}  mems {}",
            list(&c.cpus),
            list(&c.mems)
        );
    }
    for hp in &s.hugetlb {
        let _ = writeln!(
            o,
            "hugetlb   {}: {} of {}",
            hp.page_size,
            bytes(hp.usage),
            limit(hp.limit)
        );
    }
    for m in &s.misc {
        let _ = writeln!(o, "misc      {}: {}", m.name, m.usage);
    }
    let psi = [
        ("cpu", s.cpu.as_ref().and_then(|c| c.psi)),
        ("memory", s.memory.as_ref().and_then(|m| m.psi)),
        ("io", s.blkio.as_ref().and_then(|b| b.psi)),
    ];
    for (name, p) in psi {
        let Some(p) = p else { continue };
        if let Some(d) = p.some {
            let _ = writeln!(
                o,
                "pressure  {name} some {:.2} {:.2} {:.2} (avg10/60/300 %)",
                d.avg10, d.avg60, d.avg300
            );
        }
    }
    o.trim_end().to_owned()
}
