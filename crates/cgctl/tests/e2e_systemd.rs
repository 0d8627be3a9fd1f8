//! `cgctl` with the systemd driver against a real systemd (the systemd tiers): the
//! command inside a transient scope of a slice, properties read back over D-Bus,
//! exit codes, the unit gone afterwards (also after a failure or a signal), the
//! commands on a running scope, and, where limits are enforced (`systemd-vm`), an
//! OOM kill in the summary and a fork loop stopped. On the host: `--driver auto`
//! picks cgroupfs there and `--driver systemd` fails naming what is missing.
//!
//! Every test uses its own one-level slice `cgtest_<pid>_<tag>.slice`, stopped on
//! drop (which stops any scope left in it).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cgroups_systemd::version::parse_version;
use cgroups_systemd::{Bus, Client, ErrorKind};
use common::{cgctl, cgctl_bin, ensure_exit, text};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

const SCOPE: &str = "org.freedesktop.systemd1.Scope";
const UNIT: &str = "org.freedesktop.systemd1.Unit";

fn client() -> Client {
    Client::new(Bus::System)
}

/// A test's slice and the names of its scope, stopped on drop.
struct Slice {
    slice: String,
    /// `--name` of the run.
    name: String,
}

impl Slice {
    fn new(tag: &str) -> Slice {
        let pid = std::process::id();
        Slice {
            slice: format!("cgtest_{pid}_{tag}.slice"),
            name: format!("{tag}-{pid}"),
        }
    }

    /// `cgctl-NAME.scope`.
    fn unit(&self) -> String {
        format!("cgctl-{}.scope", self.name)
    }

    /// The scope's cgroup.
    fn cgroup(&self) -> String {
        format!("/{}/{}", self.slice, self.unit())
    }

    /// `run --driver systemd --parent SLICE --name NAME FLAGS -- COMMAND`.
    fn run_args<'a>(&'a self, flags: &[&'a str], command: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["run", "--driver", "systemd", "--parent", &self.slice];
        args.extend(["--name", &self.name]);
        args.extend_from_slice(flags);
        args.push("--");
        args.extend_from_slice(command);
        args
    }

    fn run(&self, flags: &[&str], command: &[&str]) -> Result<Output, Failed> {
        cgctl(&self.run_args(flags, command))
    }

    /// Fails unless the scope is unloaded and its cgroup gone (systemd unloads a
    /// stopped transient unit right after its job; allowed 2 s).
    fn ensure_gone(&self) -> Result<(), Failed> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let unit = client().get_unit(&self.unit());
            let unloaded = matches!(&unit, Err(e) if e.kind() == ErrorKind::NoSuchUnit);
            let dir = cgroup_dir(&self.cgroup());
            if unloaded && !dir.exists() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} left behind: unit {unit:?}, cgroup {} exists: {}",
                    self.unit(),
                    dir.display(),
                    dir.exists()
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Slice {
    fn drop(&mut self) {
        let _ = client().stop_unit(&self.slice);
    }
}

/// The cgroup2 directory of `cgroup` (the systemd tiers are unified).
fn cgroup_dir(cgroup: &str) -> std::path::PathBuf {
    std::path::Path::new("/sys/fs/cgroup").join(cgroup.trim_start_matches('/'))
}

#[allow(clippy::disallowed_methods)] // reading back a cgroup file, as a person would
fn read(path: &std::path::Path) -> Result<String, Failed> {
    Ok(std::fs::read_to_string(path)?.trim().to_owned())
}

/// The summary line of `--json` (the last line of stdout).
fn summary(out: &Output) -> Result<serde_json::Value, Failed> {
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().ok_or("no summary on stdout")?;
    Ok(serde_json::from_str(last)?)
}

/// `cgctl run` in the background whose command prints `ready PID` and then waits
/// for a line on stdin.
struct Waiting {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// The command's pid (the shell's `$$`).
    pid: u32,
}

impl Waiting {
    fn start(s: &Slice, flags: &[&str], after: &str) -> Result<Waiting, Failed> {
        let script = format!("echo ready $$; read line; {after}");
        let mut child = Command::new(cgctl_bin())
            .args(s.run_args(flags, &["sh", "-c", &script]))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut ready = String::new();
        stdout.read_line(&mut ready)?;
        let pid = match ready.trim().strip_prefix("ready ") {
            Some(pid) => pid.parse()?,
            None => {
                let _ = child.kill();
                let out = child.wait_with_output()?;
                let err = text(&out.stderr);
                return Err(format!("no ready line ({ready:?}): {err}").into());
            }
        };
        Ok(Waiting { child, stdout, pid })
    }

    /// Lets the command go on and waits for cgctl; returns its exit code, the rest of
    /// stdout and stderr.
    fn release(mut self) -> Result<(Option<i32>, String, String), Failed> {
        if let Some(mut stdin) = self.child.stdin.take() {
            // The command may already be gone (killed); then nobody reads.
            let _ = stdin.write_all(b"go\n");
        }
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest)?;
        let mut err = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut err)?;
        }
        let status = self.child.wait()?;
        Ok((status.code(), rest, err))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_with_systemd_starts_the_command_inside_its_scope_in_the_slice() -> Result<(), Failed> {
    let s = Slice::new("inside");
    let out = s.run(&["--json"], &["cat", "/proc/self/cgroup"])?;
    ensure_exit("run", &out, 0)?;
    let own = text(&out.stdout);
    let line = own.lines().find(|l| l.starts_with("0::")).unwrap_or("");
    ensure_eq!(line, format!("0::{}", s.cgroup()), "{own}");
    let doc = summary(&out)?;
    ensure_eq!(doc["driver"], "systemd");
    ensure_eq!(doc["unit"], s.unit().as_str());
    ensure_eq!(doc["cgroup"], s.cgroup().as_str());
    ensure_eq!(doc["exit_code"], 0);
    s.ensure_gone()
}

fn the_command_inherits_no_descriptor_of_cgctl() -> Result<(), Failed> {
    let s = Slice::new("fds");
    // `ls -l` lists its own descriptors: 0-2 and the one it reads the directory with.
    let out = s.run(&[], &["ls", "-l", "/proc/self/fd/"])?;
    ensure_exit("run", &out, 0)?;
    let listing = text(&out.stdout);
    for line in listing.lines().filter(|l| l.contains(" -> ")) {
        let (left, target) = line.split_once(" -> ").ok_or("no target")?;
        let fd: u32 = left.split_whitespace().last().ok_or("no fd")?.parse()?;
        ensure!(
            fd <= 2 || target.starts_with("/proc/"),
            "descriptor {fd} ({target}) leaked into the command: {listing}"
        );
    }
    s.ensure_gone()
}

fn scope_properties_read_back_while_the_command_runs() -> Result<(), Failed> {
    let s = Slice::new("props");
    let run = Waiting::start(&s, &[], "exit 5")?;
    let unit = s.unit();
    ensure_eq!(
        client().unit_property(&unit, UNIT, "ActiveState")?,
        "active"
    );
    ensure_eq!(
        client().unit_property(&unit, SCOPE, "ControlGroup")?,
        s.cgroup()
    );
    ensure_eq!(client().unit_property(&unit, SCOPE, "Slice")?, s.slice);
    let show = Command::new("systemctl")
        .args(["show", "--property=Delegate", "--value", &unit])
        .output()?;
    ensure_eq!(text(&show.stdout).trim(), "yes");
    let version = parse_version(&client().version()?).ok_or("no systemd version")?;
    if version >= 253 {
        // A scope is stopped at its first OOM kill by default; cgctl's are not.
        ensure_eq!(
            client().unit_property(&unit, SCOPE, "OOMPolicy")?,
            "continue"
        );
    }
    let procs = read(&cgroup_dir(&s.cgroup()).join("cgroup.procs"))?;
    ensure!(
        procs.lines().any(|p| p == run.pid.to_string()),
        "{} not in {procs:?}",
        run.pid
    );
    let (code, _, err) = run.release()?;
    ensure_eq!(code, Some(5), "{err}");
    ensure!(
        err.contains(&format!("driver  systemd (unit {unit})")),
        "{err}"
    );
    ensure!(err.contains("unit stopped"), "{err}");
    s.ensure_gone()
}

fn exit_codes_pass_through_and_the_unit_is_stopped_however_the_command_ends() -> Result<(), Failed>
{
    let cases: [(&str, &[&str], i32); 3] = [
        ("exit", &["sh", "-c", "exit 3"], 3),
        ("signal", &["sh", "-c", "kill -KILL $$"], 137),
        ("notfound", &["/nonexistent/cgctl-test-command"], 127),
    ];
    for (tag, command, code) in cases {
        let s = Slice::new(tag);
        let out = s.run(&[], command)?;
        ensure_exit(tag, &out, code)?;
        if code == 127 {
            ensure!(
                text(&out.stderr).contains("not found"),
                "{}",
                text(&out.stderr)
            );
        }
        s.ensure_gone()?;
    }
    Ok(())
}

fn a_refused_limit_fails_before_the_command_runs_and_stops_the_unit() -> Result<(), Failed> {
    let s = Slice::new("refused");
    // No CPU 4095 here, and no cpuset controller delegated in the systemd tiers: the
    // limit is refused after the scope started, before the command runs.
    let out = s.run(&["--cpuset-cpus", "4095"], &["sh", "-c", "echo ran"])?;
    ensure_exit("run", &out, 125)?;
    ensure!(!text(&out.stdout).contains("ran"), "the command ran");
    ensure!(
        text(&out.stderr).contains("cpuset"),
        "{}",
        text(&out.stderr)
    );
    s.ensure_gone()
}

fn sigterm_is_forwarded_to_the_command_in_the_scope() -> Result<(), Failed> {
    let s = Slice::new("sigterm");
    let script = "trap 'exit 7' TERM; echo ready; sleep 30 & wait";
    let mut child = Command::new(cgctl_bin())
        .args(s.run_args(&[], &["sh", "-c", script]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut ready = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    BufReader::new(stdout).read_line(&mut ready)?;
    ensure_eq!(ready, "ready\n");
    let pid = rustix::process::Pid::from_raw(child.id() as i32).ok_or("bad pid")?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    let out = child.wait_with_output()?;
    ensure_exit("run", &out, 7)?;
    s.ensure_gone()
}

fn commands_take_the_unit_name_or_its_cgroup_and_destroy_stops_the_unit() -> Result<(), Failed> {
    let s = Slice::new("ops");
    let run = Waiting::start(&s, &[], "exit 0")?;
    let unit = s.unit();
    let cgroup = s.cgroup();
    let ps = cgctl(&["ps", &unit])?;
    ensure_exit("ps", &ps, 0)?;
    ensure!(
        text(&ps.stdout).lines().any(|p| p == run.pid.to_string()),
        "{}",
        text(&ps.stdout)
    );
    ensure_exit("freeze", &cgctl(&["freeze", &unit])?, 0)?;
    let events = cgroup_dir(&cgroup).join("cgroup.events");
    ensure!(read(&events)?.contains("frozen 1"), "{}", read(&events)?);
    ensure_exit(
        "thaw",
        &cgctl(&["thaw", "--driver", "systemd", &cgroup])?,
        0,
    )?;
    ensure!(read(&events)?.contains("frozen 0"), "{}", read(&events)?);
    let stats = cgctl(&["stats", &unit, "--json"])?;
    ensure_exit("stats", &stats, 0)?;
    // A populated scope is not stopped without --kill.
    let busy = cgctl(&["destroy", &cgroup])?;
    ensure_exit("destroy", &busy, 125)?;
    ensure!(
        text(&busy.stderr).contains("--kill"),
        "{}",
        text(&busy.stderr)
    );
    ensure_eq!(
        client().unit_property(&unit, UNIT, "ActiveState")?,
        "active"
    );
    // auto: the cgroup of a loaded cgctl scope is the unit.
    let destroy = cgctl(&["destroy", "--kill", &cgroup])?;
    ensure_exit("destroy", &destroy, 0)?;
    ensure!(
        text(&destroy.stderr).contains("stopped"),
        "{}",
        text(&destroy.stderr)
    );
    let (code, _, err) = run.release()?;
    ensure_eq!(code, Some(137), "{err}");
    s.ensure_gone()?;
    let again = cgctl(&["destroy", &unit])?;
    ensure_exit("destroy", &again, 0)?;
    ensure!(text(&again.stderr).contains("nothing to remove"));
    Ok(())
}

fn auto_picks_systemd_where_systemd_runs() -> Result<(), Failed> {
    let info = cgctl(&["info", "--json"])?;
    ensure_exit("info", &info, 0)?;
    let doc: serde_json::Value = serde_json::from_slice(&info.stdout)?;
    ensure_eq!(doc["driver"]["auto"], "systemd", "{doc}");
    let s = Slice::new("auto");
    let out = cgctl(&[
        "run",
        "--parent",
        &s.slice,
        "--name",
        &s.name,
        "--",
        "cat",
        "/proc/self/cgroup",
    ])?;
    ensure_exit("run", &out, 0)?;
    ensure!(
        text(&out.stdout).contains(&format!("0::{}", s.cgroup())),
        "{}",
        text(&out.stdout)
    );
    s.ensure_gone()
}

fn auto_picks_cgroupfs_without_systemd_and_systemd_fails_naming_it() -> Result<(), Failed> {
    let booted = std::fs::symlink_metadata("/run/systemd/system").is_ok_and(|m| m.is_dir());
    ensure!(
        !booted,
        "this test expects the host tier without systemd as init"
    );
    let info = cgctl(&["info", "--json"])?;
    ensure_exit("info", &info, 0)?;
    let doc: serde_json::Value = serde_json::from_slice(&info.stdout)?;
    ensure_eq!(doc["driver"]["auto"], "cgroupfs", "{doc}");
    let reason = doc["driver"]["reason"].as_str().unwrap_or("");
    ensure!(reason.contains("/run/systemd/system"), "{reason}");
    let name = ktest::TestCgroup::name_for("sdmissing");
    let out = cgctl(&["run", "--driver", "systemd", "--name", &name, "--", "true"])?;
    ensure_exit("run", &out, 125)?;
    ensure!(
        text(&out.stderr).contains("/run/systemd/system"),
        "{}",
        text(&out.stderr)
    );
    let unit = cgctl(&[
        "update",
        "cgctl-x.scope",
        "--driver",
        "cgroupfs",
        "--pids",
        "3",
    ])?;
    ensure_exit("update", &unit, 125)?;
    ensure!(
        text(&unit.stderr).contains("unit name"),
        "{}",
        text(&unit.stderr)
    );
    Ok(())
}

fn memory_limit_oom_kill_is_reported_in_the_summary() -> Result<(), Failed> {
    let s = Slice::new("oom");
    // dd holds one 128 MiB block in memory: four times the limit.
    let dd = ["dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"];
    let out = s.run(&["--memory", "32M", "--json"], &dd)?;
    ensure_exit("run", &out, 137)?;
    let doc = summary(&out)?;
    ensure_eq!(doc["driver"], "systemd");
    let kills = doc["usage"]["oom_kills"].as_u64().unwrap_or(0);
    ensure!(kills >= 1, "no OOM kill reported: {doc}");
    s.ensure_gone()
}

fn pids_limit_stops_a_fork_loop() -> Result<(), Failed> {
    let s = Slice::new("forks");
    let script = "i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); done; wait";
    let out = s.run(&["--pids", "8", "--json"], &["sh", "-c", script])?;
    let err = text(&out.stderr);
    ensure!(
        out.status.code() != Some(0),
        "the fork loop finished: {err}"
    );
    ensure!(err.to_lowercase().contains("fork"), "{err}");
    let doc = summary(&out)?;
    if let Some(peak) = doc["usage"]["pids_peak"].as_u64() {
        ensure!(peak <= 8, "pids peak {peak} above the limit: {doc}");
    }
    s.ensure_gone()
}

fn update_sets_the_unit_properties_and_the_files() -> Result<(), Failed> {
    let s = Slice::new("update");
    let run = Waiting::start(&s, &["--pids", "20"], "exit 0")?;
    let unit = s.unit();
    let up = cgctl(&["update", &unit, "--pids", "12", "--memory", "48M"])?;
    ensure_exit("update", &up, 0)?;
    ensure_eq!(client().unit_property_u64(&unit, SCOPE, "TasksMax")?, 12);
    ensure_eq!(
        client().unit_property_u64(&unit, SCOPE, "MemoryMax")?,
        48 << 20
    );
    let dir = cgroup_dir(&s.cgroup());
    ensure_eq!(read(&dir.join("pids.max"))?, "12");
    ensure_eq!(read(&dir.join("memory.max"))?, (48u64 << 20).to_string());
    let (code, _, err) = run.release()?;
    ensure_eq!(code, Some(0), "{err}");
    s.ensure_gone()
}

fn main() {
    let real = [
        Test::new(
            "run_with_systemd_starts_the_command_inside_its_scope_in_the_slice",
            run_with_systemd_starts_the_command_inside_its_scope_in_the_slice,
        ),
        Test::new(
            "the_command_inherits_no_descriptor_of_cgctl",
            the_command_inherits_no_descriptor_of_cgctl,
        ),
        // Reads the scope's cgroup2 files: pure v2 only (not systemd's hybrid layout).
        Test::new(
            "scope_properties_read_back_while_the_command_runs",
            scope_properties_read_back_while_the_command_runs,
        )
        .needs(Need::PureV2),
        Test::new(
            "exit_codes_pass_through_and_the_unit_is_stopped_however_the_command_ends",
            exit_codes_pass_through_and_the_unit_is_stopped_however_the_command_ends,
        ),
        Test::new(
            "a_refused_limit_fails_before_the_command_runs_and_stops_the_unit",
            a_refused_limit_fails_before_the_command_runs_and_stops_the_unit,
        ),
        Test::new(
            "sigterm_is_forwarded_to_the_command_in_the_scope",
            sigterm_is_forwarded_to_the_command_in_the_scope,
        ),
        // Reads the scope's cgroup2 files: pure v2 only (not systemd's hybrid layout).
        Test::new(
            "commands_take_the_unit_name_or_its_cgroup_and_destroy_stops_the_unit",
            commands_take_the_unit_name_or_its_cgroup_and_destroy_stops_the_unit,
        )
        .needs(Need::PureV2),
        Test::new(
            "auto_picks_systemd_where_systemd_runs",
            auto_picks_systemd_where_systemd_runs,
        ),
        // Enforced limits: the systemd VM tier.
        Test::new(
            "memory_limit_oom_kill_is_reported_in_the_summary",
            memory_limit_oom_kill_is_reported_in_the_summary,
        )
        .needs(Need::V2Controller("memory")),
        Test::new("pids_limit_stops_a_fork_loop", pids_limit_stops_a_fork_loop)
            .needs(Need::V2Controller("pids")),
        Test::new(
            "update_sets_the_unit_properties_and_the_files",
            update_sets_the_unit_properties_and_the_files,
        )
        .needs(Need::V2Controller("pids"))
        .needs(Need::V2Controller("memory")),
    ];
    let mut tests: Vec<Test> = real
        .into_iter()
        .map(|t| t.needs(Need::Root).needs(Need::Systemd))
        .collect();
    tests.push(
        Test::new(
            "auto_picks_cgroupfs_without_systemd_and_systemd_fails_naming_it",
            auto_picks_cgroupfs_without_systemd_and_systemd_fails_naming_it,
        )
        .needs(Need::Root)
        .needs(Need::Tier("host")),
    );
    ktest::main(tests)
}
