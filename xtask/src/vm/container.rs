//! Running a systemd container tier: `xtask/systemd/container.sh` boots the suite's
//! rootfs with systemd as PID 1 and runs `xtask/systemd/run-tests.sh` in it, which runs
//! every selected ktest binary (the static build, bind-mounted at its own path) and
//! prints the markers of the VM init. Output streamed, bounded by a timeout.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::build::{Payload, TestBin};
use super::console::Console;
use super::{BIN_TIMEOUT_SECS, BOOT_TIMEOUT_SECS, Outcome, Selection, env_secs};
use crate::cgscan;
use crate::report::Report;
use crate::tiers::{ContainerSpec, Tier};
use crate::util::workspace_root;

/// The rest of `line` after `marker`, wherever the marker starts: a VM's serial
/// console may glue firmware or kernel output in front of a guest's line
/// (`Booting from ROM..XTASK-SD-CGROUP ...`).
pub(super) fn after_marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|at| &line[at + marker.len()..])
}

/// What the container said about its systemd.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Systemd {
    /// `systemctl --version`'s first line.
    version: Option<String>,
    /// `systemctl is-system-running`.
    state: Option<String>,
}

impl Systemd {
    pub(super) fn line(&mut self, line: &str) {
        if let Some(v) = after_marker(line, "XTASK-SD-SYSTEMD ") {
            self.version = Some(v.trim().to_owned());
        } else if let Some(s) = after_marker(line, "XTASK-SD-STATE ") {
            self.state = Some(s.trim().to_owned());
        }
    }

    /// The major version: `systemd 252 (252.39-1~deb12u1)` gives 252.
    pub(super) fn major(&self) -> Option<u32> {
        self.version
            .as_deref()?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// Why the systemd seen is not the tier's: another major version than `expected`
    /// (Debian `suite` moved on: rename the tier), or none said by the `guest`.
    pub(super) fn problem(&self, suite: &str, expected: u32, guest: &str) -> Option<String> {
        match self.major() {
            Some(v) if v == expected => None,
            Some(v) => Some(format!(
                "Debian {suite} has systemd {v}, not {expected}: rename the tier"
            )),
            None => Some(format!("the {guest} did not say its systemd version")),
        }
    }

    /// `systemd 252.39-1~deb12u1` (the package version when there is one).
    pub(super) fn label(&self) -> String {
        let Some(v) = self.version.as_deref() else {
            return "systemd version unknown".to_owned();
        };
        let mut words = v.split_whitespace().skip(1);
        let major = words.next().unwrap_or("?");
        let full = words
            .next()
            .map(|w| w.trim_matches(['(', ')']))
            .filter(|w| !w.is_empty());
        let state = match self.state.as_deref() {
            Some("running") | None => String::new(),
            Some(s) => format!(" ({s})"),
        };
        format!("systemd {}{state}", full.unwrap_or(major))
    }
}

/// Runs `tests` in a container of `rootfs`; the output goes into `report`.
pub fn run_one(
    tier: &Tier,
    spec: &ContainerSpec,
    rootfs: &Path,
    payload: &Payload,
    tests: &[&TestBin],
    sel: &Selection,
    report: &mut Report,
) -> Outcome {
    let scripts = workspace_root().join("xtask/systemd");
    let build_dir = payload.dir.as_path();
    let mut args = vec!["--color".to_owned(), "never".to_owned()];
    args.extend(sel.test_args.iter().cloned());
    let mut cmd = Command::new("bash");
    cmd.arg(scripts.join("container.sh"))
        .arg("-b")
        .arg(format!("{}:/xtask", scripts.display()))
        .arg("-b")
        .arg(format!("{0}:{0}", build_dir.display()))
        .args(["/bin/bash", "/xtask/run-tests.sh"])
        .args(
            tests
                .iter()
                .map(|t| format!("{}={}", t.guest_name(), t.path.display())),
        )
        .env("ROOTFS", rootfs)
        .env("CGTEST_TIER", tier.name)
        .env("CGTEST_STRICT_TIER", "1")
        .env("CGTEST_TIER_PROVIDES", tier.provides_env())
        .env(
            "XTASK_BIN_TIMEOUT",
            env_secs("XTASK_VM_BIN_TIMEOUT", BIN_TIMEOUT_SECS).to_string(),
        )
        .env("XTASK_TEST_ARGS", args.join("\n"));
    for (name, path) in &payload.tools {
        cmd.env(
            format!("{}_BIN", name.to_uppercase().replace('-', "_")),
            path,
        );
    }
    for p in tests.iter().map(|t| &t.path).chain(payload.tools.values()) {
        if !p.starts_with(build_dir) {
            return Outcome::Broken(format!(
                "{} is not below {}: the container would not see it",
                p.display(),
                build_dir.display()
            ));
        }
    }
    println!(
        "== {}: Debian {} rootfs {}, {} binaries",
        tier.name,
        spec.suite,
        rootfs.display(),
        tests.len()
    );
    let timeout = Duration::from_secs(env_secs("XTASK_VM_TIMEOUT", BOOT_TIMEOUT_SECS));
    let mut console = Console::default();
    let mut systemd = Systemd::default();
    let (ran, script_pid) = stream(cmd, tier.name, timeout, &mut |line| {
        console.line(line);
        systemd.line(line);
        report.line(line);
    });
    let mut problems = console.problems();
    if let Err(e) = ran {
        problems.insert(0, e);
    }
    if let Some(pid) = script_pid {
        for found in cgscan::scan().iter().filter(|f| f.pid == Some(pid)) {
            problems.push(format!("LEFTOVER on the host: {}", found.path.display()));
        }
    }
    problems.extend(systemd.problem(spec.suite, spec.systemd, "container"));
    let ran = report.tiers.get(tier.name).map_or(0, |c| c.ran());
    if ran == 0 && !sel.is_filtered() {
        problems.push("the tier ran no test".to_owned());
    }
    Outcome::Ran {
        machine: systemd.label(),
        problems,
    }
}

/// Runs `cmd` with stdout and stderr merged, echoing each line prefixed `[tier] ` and
/// passing it to `take`. After `timeout` the script gets SIGTERM (it then removes the
/// container and its cgroup), SIGKILL 20 s later. Returns whether it succeeded, and
/// its pid (the `<pid>` of its `cgtest-<pid>-sd` cgroup).
fn stream(
    mut cmd: Command,
    tier: &str,
    timeout: Duration,
    take: &mut dyn FnMut(&str),
) -> (Result<(), String>, Option<u32>) {
    println!("== starting {tier}: {cmd:?}");
    let pipe = std::io::pipe().and_then(|(r, w)| Ok((r, w.try_clone()?, w)));
    let (reader, w1, w2) = match pipe {
        Ok(p) => p,
        Err(e) => return (Err(format!("pipe: {e}")), None),
    };
    cmd.stdout(w1).stderr(w2);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return (Err(format!("cannot run container.sh: {e}")), None),
    };
    // The command still holds the write ends: drop it so the reader sees EOF.
    drop(cmd);
    let pid = child.id();
    let (rx, thread) = super::boot::line_reader(reader);
    let deadline = Instant::now() + timeout;
    let mut out = std::io::stdout();
    let mut timed_out = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(Duration::from_secs(1))) {
            Ok(line) => {
                let line = line.trim_end_matches(['\r', '\n']);
                let _ = writeln!(out, "[{tier}] {line}");
                take(line);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                timed_out = true;
                stop(&mut child);
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    let status = child.wait();
    // Processes of the container may hold the pipe: do not wait for the reader.
    if !timed_out {
        let _ = thread.join();
    }
    let result = match (timed_out, status) {
        (true, _) => Err(format!(
            "the container did not finish within {}s and was stopped",
            timeout.as_secs()
        )),
        (false, Ok(s)) if s.success() => Ok(()),
        (false, Ok(s)) => Err(format!("container.sh exited with {s}")),
        (false, Err(e)) => Err(format!("waiting for container.sh: {e}")),
    };
    (result, Some(pid))
}

/// SIGTERM to the script (its EXIT trap removes the container), SIGKILL if it is still
/// there after 20 s.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if child.try_wait().is_ok_and(|s| s.is_some()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[&str]) -> Systemd {
        let mut s = Systemd::default();
        lines.iter().for_each(|l| s.line(l));
        s
    }

    #[test]
    fn the_systemd_version_and_state_are_read() {
        let s = read(&[
            "XTASK-SD-SYSTEMD systemd 252 (252.39-1~deb12u1)",
            "XTASK-SD-STATE running",
        ]);
        assert_eq!(s.major(), Some(252));
        assert_eq!(s.label(), "systemd 252.39-1~deb12u1");
        let s = read(&["XTASK-SD-SYSTEMD systemd 257", "XTASK-SD-STATE degraded"]);
        assert_eq!(s.major(), Some(257));
        assert_eq!(s.label(), "systemd 257 (degraded)");
    }

    #[test]
    fn a_silent_container_has_no_version() {
        let s = read(&["ktest-summary binary=x tier=systemd-252 ran=1"]);
        assert_eq!(s.major(), None);
        assert_eq!(s.label(), "systemd version unknown");
        let silent = s.problem("trixie", 257, "VM").unwrap();
        assert_eq!(silent, "the VM did not say its systemd version");
    }

    #[test]
    fn another_systemd_than_the_tiers_is_a_problem() {
        let s = read(&["XTASK-SD-SYSTEMD systemd 258 (258.1-1)"]);
        assert_eq!(s.problem("trixie", 258, "container"), None);
        let other = s.problem("trixie", 257, "container").unwrap();
        assert!(other.contains("has systemd 258, not 257"), "{other}");
    }
}
