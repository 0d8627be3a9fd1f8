//! End-to-end tests of `cgctl stats`, `cgctl top` and `cgctl events` on the real
//! kernel of this machine (ktest harness).
//!
//! Every cgroup is made by `cgctl run --keep` below a uniquely named `--parent`
//! that a guard removes from every hierarchy. `--controllers` leaves out memory:
//! no process may join a v1 memory cgroup on the hybrid host. Values printed by
//! cgctl are compared with the cgroup's own files, read separately. Processes
//! the tests start are killed by a guard, also when a test fails.
// Reading the kernel files to compare, and writing a pid of our own into our
// own test cgroup, as a person would.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{NO_MEMORY, cgctl, cgctl_bin, ensure_exit, parent, run_args, text};
use ktest::{Failed, Need, TestCgroup, ensure, ensure_eq};
use serde_json::Value;

/// How long a test waits for a process to say it is ready, or for an event.
const PATIENCE: Duration = Duration::from_secs(15);

/// The file `name` of cgroup `rel` in the v1 hierarchy of `controller`.
fn v1_file(controller: &str, rel: &str, name: &str) -> Result<String, Failed> {
    let h = ktest::mounts::v1_hierarchy(controller).ok_or("no such v1 hierarchy")?;
    let path = h.mount_point.join(rel).join(name);
    std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()).into())
}

fn v1_number(controller: &str, rel: &str, name: &str) -> Result<u64, Failed> {
    let text = v1_file(controller, rel, name)?;
    Ok(text.trim().parse::<u64>()?)
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// `cgctl run --keep --name NAME --parent P --controllers NO_MEMORY FLAGS -- sh -c S`,
/// waited for.
fn run_kept(parent: &str, name: &str, flags: &[&str], script: &str) -> Result<(), Failed> {
    let flags = [&["--keep", "--name", name], flags].concat();
    let out = cgctl(&run_args(parent, NO_MEMORY, &flags, &["sh", "-c", script]))?;
    ensure_exit("run", &out, 0)
}

/// The lines a pipe gives, through a thread, so that waiting for one is bounded.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits at most [`PATIENCE`] for a line containing `what`; returns the lines
/// seen until then (the match last).
fn wait_for(lines: &Receiver<String>, what: &str) -> Result<Vec<String>, Failed> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(what);
                seen.push(line);
                if found {
                    return Ok(seen);
                }
            }
            Err(_) => {
                return Err(format!("no line with {what:?} in {PATIENCE:?}; saw {seen:?}").into());
            }
        }
    }
}

/// Commands the test started and the kept cgroups they run in: on drop, every
/// process left in those cgroups (all started by this test) is killed and the
/// commands are reaped.
struct Started {
    children: Vec<Child>,
    /// Commands that only watch or sleep: killed at once, never waited for.
    watchers: Vec<Child>,
    cgroups: Vec<String>,
}

impl Started {
    fn new() -> Started {
        Started {
            children: Vec::new(),
            watchers: Vec::new(),
            cgroups: Vec::new(),
        }
    }

    /// Starts `cgctl run --keep --name NAME ... -- sh -c SCRIPT` in the
    /// background; the script's first line on stdout must be `ready`.
    fn run_kept(&mut self, parent: &str, name: &str, script: &str) -> Result<String, Failed> {
        let flags = ["--keep", "--name", name];
        let mut child = Command::new(cgctl_bin())
            .args(run_args(parent, NO_MEMORY, &flags, &["sh", "-c", script]))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        self.children.push(child);
        let rel = format!("{parent}/{name}");
        self.cgroups.push(rel.clone());
        wait_for(&lines_of(stdout), "ready")?;
        Ok(rel)
    }

    /// Starts `cgctl ARGS` with stdout and stderr as line receivers.
    fn cgctl(&mut self, args: &[&str]) -> Result<(Receiver<String>, Receiver<String>), Failed> {
        let mut child = Command::new(cgctl_bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let out = lines_of(child.stdout.take().ok_or("no stdout")?);
        let err = lines_of(child.stderr.take().ok_or("no stderr")?);
        self.watchers.push(child);
        Ok((out, err))
    }

    /// Starts a `sleep` of the test's own (it joins no cgroup here).
    fn sleep(&mut self) -> Result<u32, Failed> {
        let child = Command::new("sleep")
            .arg("60")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()?;
        let pid = child.id();
        self.watchers.push(child);
        Ok(pid)
    }

    /// Kills the test's process `pid` and reaps it.
    fn end(&mut self, pid: u32) -> Result<(), Failed> {
        let i = self.watchers.iter().position(|c| c.id() == pid);
        let mut child = self.watchers.remove(i.ok_or("not a started process")?);
        let killed = child.kill();
        let reaped = child.wait();
        killed?;
        reaped?;
        Ok(())
    }

    /// Waits a bounded time for every command to exit.
    fn reap(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        for child in &mut self.children {
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        for child in &mut self.watchers {
            let _ = child.kill();
            let _ = child.wait();
        }
        for rel in &self.cgroups {
            let procs = v1_file("pids", rel, "cgroup.procs").unwrap_or_default();
            for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
        }
        self.reap();
    }
}

/// `cgctl kill PATH`, then waits for the background runs to end.
fn kill_all(started: &mut Started) -> Result<(), Failed> {
    for rel in started.cgroups.clone() {
        let path = format!("/{rel}");
        let out = cgctl(&["kill", &path, "--controllers", NO_MEMORY])?;
        ensure_exit("kill", &out, 0)?;
    }
    started.reap();
    Ok(())
}

fn stats_json_of_a_kept_cgroup_matches_its_files() -> Result<(), Failed> {
    let p = parent("e2e-stats");
    let busy = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done";
    run_kept(&p.name, "burn", &["--pids", "16"], busy)?;
    let rel = format!("{}/burn", p.name);
    let path = format!("/{rel}");

    let out = cgctl(&["stats", &path, "--json"])?;
    ensure_exit("stats", &out, 0)?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    for part in ["cpu_stats", "pids_stats", "blkio_stats", "cpuset_stats"] {
        ensure!(doc.get(part).is_some(), "no {part}: {doc}");
    }
    ensure!(
        doc.get("memory_stats").is_none(),
        "never joined memory: {doc}"
    );

    let usage = &doc["cpu_stats"]["cpu_usage"];
    ensure_eq!(
        keys(usage),
        [
            "percpu_usage",
            "percpu_usage_in_kernelmode",
            "percpu_usage_in_usermode",
            "total_usage",
            "usage_in_kernelmode",
            "usage_in_usermode"
        ]
    );
    let total = v1_number("cpuacct", &rel, "cpuacct.usage")?;
    ensure!(total > 0, "a busy child used no CPU");
    ensure_eq!(usage["total_usage"], total, "cpuacct.usage");
    let percpu: Vec<u64> = v1_file("cpuacct", &rel, "cpuacct.usage_percpu")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    ensure_eq!(usage["percpu_usage"], serde_json::json!(percpu));
    // cpuacct.stat is in USER_HZ (100) ticks.
    let stat = v1_file("cpuacct", &rel, "cpuacct.stat")?;
    let ticks = |key: &str| -> Option<u64> {
        let line = stat.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    let user = ticks("user ").ok_or("no user line")?;
    let system = ticks("system ").ok_or("no system line")?;
    ensure_eq!(usage["usage_in_usermode"], user * 10_000_000);
    ensure_eq!(usage["usage_in_kernelmode"], system * 10_000_000);
    ensure_eq!(
        keys(&doc["cpu_stats"]["throttling_data"]),
        ["periods", "throttled_periods", "throttled_time"]
    );

    let pids = &doc["pids_stats"];
    ensure_eq!(pids["current"], v1_number("pids", &rel, "pids.current")?);
    ensure_eq!(pids["current"], 0, "the command has ended");
    ensure_eq!(pids["limit"], v1_number("pids", &rel, "pids.max")?);
    ensure_eq!(pids["limit"], 16);
    ensure!(
        pids.get("counted_from").is_none(),
        "pids.current is no count: {pids}"
    );

    let table = cgctl(&["stats", &path])?;
    ensure_exit("stats", &table, 0)?;
    let table = text(&table.stdout);
    ensure!(table.starts_with(&format!("cgroup {path}\n")), "{table}");
    let pids_line = table.lines().find(|l| l.starts_with("pids "));
    let pids_line = pids_line.ok_or_else(|| format!("no pids line: {table}"))?;
    ensure!(pids_line.contains("0 of 16"), "{pids_line}");
    let cpu_line = table.lines().find(|l| l.starts_with("cpu "));
    let secs = format!("total {:.3} s", total as f64 / 1e9);
    ensure!(
        cpu_line.is_some_and(|l| l.contains(&secs)),
        "{secs}: {table}"
    );
    Ok(())
}

fn stats_counts_sleeping_processes_as_pids_current_does() -> Result<(), Failed> {
    let p = parent("e2e-stats-nap");
    let mut started = Started::new();
    let script = "sleep 60 & sleep 60 & echo ready; wait";
    let rel = started.run_kept(&p.name, "nap", script)?;
    let path = format!("/{rel}");

    let out = cgctl(&["stats", &path, "--json", "--controllers", "pids"])?;
    ensure_exit("stats", &out, 0)?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    ensure_eq!(keys(&doc), ["pids_stats"], "only the controllers asked for");
    let file = v1_number("pids", &rel, "pids.current")?;
    ensure_eq!(file, 3, "sh and two sleeps");
    ensure_eq!(doc["pids_stats"]["current"], file);
    ensure_eq!(doc["pids_stats"]["limit"], 0, "pids.max is max: Go's 0");

    let cpu_only = cgctl(&["stats", &path, "--json", "--controllers", "cpuacct"])?;
    let doc: Value = serde_json::from_slice(&cpu_only.stdout)?;
    ensure_eq!(keys(&doc), ["cpu_stats"]);

    let table = cgctl(&["stats", &path, "--controllers", "pids"])?;
    let table = text(&table.stdout);
    ensure!(table.contains("pids      3 of max"), "{table}");
    kill_all(&mut started)?;
    let deadline = Instant::now() + PATIENCE;
    while v1_number("pids", &rel, "pids.current")? != 0 {
        ensure!(Instant::now() < deadline, "tasks left after cgctl kill");
        std::thread::sleep(Duration::from_millis(20));
    }
    let after = cgctl(&["stats", &path, "--json", "--controllers", "pids"])?;
    let doc: Value = serde_json::from_slice(&after.stdout)?;
    ensure_eq!(doc["pids_stats"]["current"], 0);
    Ok(())
}

fn missing_cgroups_and_bad_flags_exit_125_naming_them() -> Result<(), Failed> {
    let missing = format!("/{}", TestCgroup::name_for("e2e-absent"));
    let cases: [&[&str]; 4] = [
        &["stats", &missing],
        &["stats", &missing, "--json"],
        &["top", &missing, "--iterations", "1"],
        &["events", &missing, "--timeout", "1"],
    ];
    for args in cases {
        let out = cgctl(args)?;
        let err = text(&out.stderr);
        ensure_eq!(out.status.code(), Some(125), "{args:?}: {err}");
        ensure!(
            err.contains(&missing),
            "{args:?} does not name the path: {err}"
        );
        ensure!(
            out.stdout.is_empty(),
            "{args:?} printed {}",
            text(&out.stdout)
        );
    }
    let bad = cgctl(&["stats", "/", "--controllers", "cpu,bogus"])?;
    ensure_exit("stats", &bad, 125)?;
    ensure!(text(&bad.stderr).contains("bogus"), "{}", text(&bad.stderr));
    Ok(())
}

/// The rows of the last frame `cgctl top` printed: path, cpu%, tasks.
fn last_top_frame(stdout: &str) -> Vec<(String, String, String)> {
    let frame = stdout.rsplit("\x1b[H\x1b[2J").next().unwrap_or("");
    frame
        .lines()
        .skip(1)
        .filter(|l| l.starts_with('/'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((
                f.first()?.to_string(),
                f.get(1)?.to_string(),
                f.get(3)?.to_string(),
            ))
        })
        .collect()
}

fn top_sorts_the_subtree_by_cpu_with_task_counts() -> Result<(), Failed> {
    let p = parent("e2e-top");
    let mut started = Started::new();
    let busy = started.run_kept(&p.name, "busy", "echo ready; while :; do :; done")?;
    let idle = started.run_kept(&p.name, "idle", "echo ready; exec sleep 60")?;

    let top_path = format!("/{}", p.name);
    let out = cgctl(&["top", &top_path, "--iterations", "2", "--interval", "1"])?;
    ensure_exit("top", &out, 0)?;
    let stdout = text(&out.stdout);
    ensure!(
        stdout.contains("cgroup") && stdout.contains("tasks"),
        "{stdout}"
    );
    let rows = last_top_frame(&stdout);
    let find = |rel: &str| rows.iter().position(|r| r.0 == format!("/{rel}"));
    let (b, i, top) = (find(&busy), find(&idle), find(&p.name));
    let (Some(b), Some(i), Some(top)) = (b, i, top) else {
        return Err(format!("rows missing: {rows:?}").into());
    };
    ensure!(b < i, "busy is listed before idle: {rows:?}");
    let busy_cpu: f64 = rows[b].1.parse()?;
    let idle_cpu: f64 = rows[i].1.parse()?;
    ensure!(busy_cpu > 1.0, "busy used {busy_cpu}% of a CPU: {rows:?}");
    ensure!(busy_cpu > idle_cpu, "{rows:?}");
    ensure_eq!(
        rows[b].2,
        v1_number("pids", &busy, "pids.current")?.to_string()
    );
    ensure_eq!(rows[i].2, "1", "sleep alone: {rows:?}");
    // The parent's pids.current counts its whole subtree.
    ensure_eq!(
        rows[top].2,
        v1_number("pids", &p.name, "pids.current")?.to_string()
    );
    ensure_eq!(rows[top].2, "2");
    kill_all(&mut started)
}

fn events_report_populated_changes_of_a_kept_cgroup() -> Result<(), Failed> {
    let p = parent("e2e-events");
    let mut started = Started::new();
    run_kept(&p.name, "ev", &[], "true")?;
    let rel = format!("{}/ev", p.name);
    let unified = ktest::mounts::unified_hierarchy().ok_or("no cgroup2 mount")?;
    let procs = unified.mount_point.join(&rel).join("cgroup.procs");

    // Nothing happens: the timeout ends it with status 0 and no event.
    let quiet = cgctl(&["events", &format!("/{rel}"), "--timeout", "1"])?;
    ensure_exit("events", &quiet, 0)?;
    ensure!(
        text(&quiet.stderr).contains("populated/frozen"),
        "{}",
        text(&quiet.stderr)
    );
    ensure_eq!(text(&quiet.stdout), "");

    let path = format!("/{rel}");
    let (events, status) = started.cgctl(&["events", &path, "--timeout", "40"])?;
    wait_for(&status, "watching")?;
    // A process of the test joins the (cgroup2) cgroup: populated 0 -> 1.
    let pid = started.sleep()?;
    std::fs::write(&procs, pid.to_string())
        .map_err(|e| format!("write {pid} to {}: {e}", procs.display()))?;
    let seen = wait_for(&events, "Populated(true)")?;
    let line = seen.last().ok_or("no line")?;
    let stamp = line.split_whitespace().next().unwrap_or("");
    ensure!(stamp.parse::<f64>().is_ok(), "no time stamp: {line}");
    // It ends: populated 1 -> 0.
    started.end(pid)?;
    wait_for(&events, "Populated(false)")?;
    Ok(())
}

fn main() {
    let mut tests = ktest::tests_needing(
        &common::HOST,
        &[
            (
                "stats_json_of_a_kept_cgroup_matches_its_files",
                stats_json_of_a_kept_cgroup_matches_its_files,
            ),
            (
                "stats_counts_sleeping_processes_as_pids_current_does",
                stats_counts_sleeping_processes_as_pids_current_does,
            ),
            (
                "missing_cgroups_and_bad_flags_exit_125_naming_them",
                missing_cgroups_and_bad_flags_exit_125_naming_them,
            ),
            (
                "top_sorts_the_subtree_by_cpu_with_task_counts",
                top_sorts_the_subtree_by_cpu_with_task_counts,
            ),
        ],
    );
    let unified = [common::HOST.as_slice(), &[Need::Unified]].concat();
    tests.extend(ktest::tests_needing(
        &unified,
        &[(
            "events_report_populated_changes_of_a_kept_cgroup",
            events_report_populated_changes_of_a_kept_cgroup,
        )],
    ));
    ktest::main(tests)
}
