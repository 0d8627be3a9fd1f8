//! `cgctl top [PATH]`: the cgroups of a subtree sorted by CPU or memory, like
//! `systemd-cgtop`.

use std::time::{Duration, Instant};

use cgroup_stats::{Controllers, Reader, Stats};
use cgroups_core::{CgroupDir, CgroupMode, Hierarchies};
use clap::{Args, ValueEnum};

use crate::stats_cmd::bytes;
use crate::stats_open::{open_reader, relative};
use crate::{Failure, Result};

/// Sort order of `cgctl top`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortBy {
    /// CPU time used in the last interval.
    Cpu,
    /// Memory charged now.
    Memory,
}

/// Arguments of `cgctl top`.
#[derive(Debug, Args)]
pub struct TopArgs {
    /// The subtree (default: every cgroup).
    pub path: Option<String>,
    /// Sort by CPU (default) or memory.
    #[arg(long, value_enum, default_value = "cpu")]
    pub sort: SortBy,
    /// Seconds between refreshes.
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    pub interval: f64,
    /// Stop after N refreshes (default: until interrupted).
    #[arg(long, value_name = "N")]
    pub iterations: Option<u64>,
    /// How many levels below PATH to list.
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
}

/// One line of the table: path, CPU %, memory bytes, tasks (and whether the
/// tasks are the kernel's `pids.current` rather than a count of one list).
type Line = (String, Option<f64>, Option<u64>, Option<(u64, bool)>);

struct Row {
    path: String,
    reader: Reader,
    before: Option<Stats>,
}

/// Lists `rel` and its descendants down to `depth` levels in the hierarchy
/// mounted at `mount`.
fn walk(mount: &std::path::Path, rel: &str, depth: usize, out: &mut Vec<String>) -> Result<()> {
    out.push(rel.to_owned());
    if depth == 0 {
        return Ok(());
    }
    let dir = CgroupDir::open_root(mount)?.open_child(rel)?;
    for child in dir.children()? {
        let path = match rel.is_empty() {
            true => child,
            false => format!("{rel}/{child}"),
        };
        walk(mount, &path, depth - 1, out)?;
    }
    Ok(())
}

/// Runs `cgctl top`.
pub fn top(args: TopArgs) -> Result<i32> {
    let h = Hierarchies::detect()?;
    let rel = args.path.as_deref().map(relative).unwrap_or("");
    // The tree to list: cgroup2 on a unified host, else the cpuacct hierarchy.
    let mount = match h.mode() {
        CgroupMode::Unified => h.unified_mount().map(|p| p.to_path_buf()),
        _ => h.v1("cpuacct").map(|v| v.mount_point.clone()),
    }
    .ok_or_else(|| Failure::usage("no hierarchy to list (see `cgctl info`)"))?;
    if !rel.is_empty() && !CgroupDir::open_root(&mount)?.exists(rel) {
        return Err(Failure::usage(format!(
            "/{rel} does not exist in {}: see `cgctl info` and `cgctl ps`",
            mount.display()
        )));
    }
    let mut paths = Vec::new();
    walk(&mount, rel, args.depth, &mut paths)?;
    let wanted = Controllers::CPU | Controllers::MEMORY | Controllers::PIDS;
    let mut rows: Vec<Row> = paths
        .into_iter()
        .filter_map(|p| {
            let reader = open_reader(h, &p, wanted).ok()?;
            Some(Row {
                path: format!("/{p}"),
                reader,
                before: None,
            })
        })
        .collect();
    let mut last = Instant::now();
    let mut shown = 0;
    loop {
        let dt = last.elapsed().as_secs_f64();
        last = Instant::now();
        let mut table: Vec<Line> = Vec::new();
        for row in rows.iter_mut() {
            let Ok(now) = row.reader.read().cloned() else {
                continue;
            };
            let total = |s: &Stats| s.cpu.as_ref()?.usage.as_ref().map(|u| u.total_ns);
            let cpu = match (&row.before, total(&now)) {
                (Some(b), Some(n)) => {
                    total(b).map(|b| n.saturating_sub(b) as f64 / 1e9 / dt * 100.0)
                }
                _ => None,
            };
            let mem = now.memory.as_ref().map(|m| m.usage.usage);
            let tasks = now.pids.map(|p| (p.current, p.source.is_counter()));
            table.push((row.path.clone(), cpu, mem, tasks));
            row.before = Some(now);
        }
        match args.sort {
            SortBy::Cpu => {
                table.sort_by(|a, b| b.1.unwrap_or(-1.0).total_cmp(&a.1.unwrap_or(-1.0)))
            }
            SortBy::Memory => table.sort_by_key(|r| std::cmp::Reverse(r.2)),
        }
        let mut out = String::from("\x1b[H\x1b[2J");
        out.push_str(&format!(
            "{:<48} {:>7} {:>12} {:>6}\n",
            "cgroup", "cpu%", "memory", "tasks"
        ));
        let mut counted = false;
        for (path, cpu, mem, tasks) in &table {
            let cpu = cpu.map_or("-".to_owned(), |c| format!("{c:.1}"));
            let mem = mem.map_or("-".to_owned(), bytes);
            let tasks = match tasks {
                Some((n, true)) => n.to_string(),
                Some((n, false)) => {
                    counted = true;
                    format!("{n}*")
                }
                None => "-".to_owned(),
            };
            out.push_str(&format!("{path:<48} {cpu:>7} {mem:>12} {tasks:>6}\n"));
        }
        if counted {
            out.push_str("* pids controller off: processes in the cgroup's own cgroup.procs\n");
        }
        print!("{out}");
        shown += 1;
        if args.iterations.is_some_and(|n| shown >= n) {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_secs_f64(args.interval.clamp(0.1, 3600.0)));
    }
}
