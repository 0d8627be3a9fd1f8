//! `cgctl` with the systemd driver under hostile use (the systemd tiers): another
//! run of the same name, units that are not cgctl's as targets, cgctl killed with
//! SIGKILL, slices systemd escapes, what the command inherits; and the hidden
//! `__hold` helper called by hand (every tier).
//!
//! Names are `cgtest_<pid>_<tag>`: slices stopped on drop, foreign scopes too.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cgroups_systemd::{Bus, Client, ErrorKind};
use common::{cgctl, cgctl_bin, ensure_exit, text};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

fn client() -> Client {
    Client::new(Bus::System)
}

fn tag_name(tag: &str) -> String {
    format!("cgtest_{}_{tag}", std::process::id())
}

/// A test's slice, stopped on drop (with any scope left in it).
struct Slice(String);

impl Slice {
    fn new(tag: &str) -> Slice {
        Slice(format!("{}.slice", tag_name(tag)))
    }

    /// `run --driver systemd --parent SLICE --name NAME FLAGS -- COMMAND`.
    fn args<'a>(&'a self, name: &'a str, flags: &[&'a str], cmd: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["run", "--driver", "systemd", "--parent", &self.0];
        args.extend(["--name", name]);
        args.extend_from_slice(flags);
        args.push("--");
        args.extend_from_slice(cmd);
        args
    }
}

impl Drop for Slice {
    fn drop(&mut self) {
        let _ = client().stop_unit(&self.0);
    }
}

/// Waits up to 5 s until systemd has no unit `unit` loaded.
fn ensure_unloaded(unit: &str) -> Result<(), Failed> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match client().get_unit(unit) {
            Err(e) if e.kind() == ErrorKind::NoSuchUnit => return Ok(()),
            other if Instant::now() > deadline => {
                return Err(format!("{unit} still loaded: {other:?}").into());
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn active_state(unit: &str) -> Result<String, Failed> {
    Ok(client().unit_property(unit, "org.freedesktop.systemd1.Unit", "ActiveState")?)
}

fn alive(pid: u32) -> bool {
    // A zombie has no cgroup left; /proc/PID/cgroup of a reaped process is gone.
    rustix::process::Pid::from_raw(pid as i32)
        .is_some_and(|p| rustix::process::test_kill_process(p).is_ok())
}

/// `cgctl ARGS` in the background whose command prints `ready PID` first; returns
/// the child and the command's pid.
fn start_ready(args: &[&str]) -> Result<(KillOnDrop, u32), Failed> {
    let mut child = KillOnDrop(
        Command::new(cgctl_bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?,
    );
    let stdout = child.0.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let pid = line
        .trim()
        .strip_prefix("ready ")
        .ok_or_else(|| format!("no ready line: {line:?}"))?
        .parse()?;
    Ok((child, pid))
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn a_second_run_of_the_same_name_is_refused_and_the_first_goes_on() -> Result<(), Failed> {
    let s = Slice::new("same");
    let name = tag_name("same");
    let unit = format!("cgctl-{name}.scope");
    // One after the other: the second finds the unit running.
    let first = Command::new(cgctl_bin())
        .args(s.args(
            &name,
            &[],
            &["sh", "-c", "echo ready $$; sleep 2; echo survived"],
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut first = KillOnDrop(first);
    let mut stdout = BufReader::new(first.0.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    ensure!(line.starts_with("ready "), "{line:?}");
    let second = cgctl(&s.args(&name, &[], &["sh", "-c", "echo second-ran"]))?;
    ensure_exit("second run", &second, 125)?;
    ensure!(!text(&second.stdout).contains("second-ran"));
    ensure!(
        text(&second.stderr).contains("already exists"),
        "{}",
        text(&second.stderr)
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest)?;
    let status = first.0.wait()?;
    ensure_eq!(status.code(), Some(0), "{rest}");
    ensure_eq!(rest, "survived\n");
    ensure_unloaded(&unit)?;

    // At the same time: whichever loses the race must not stop the winner's unit.
    for round in 0..4 {
        let name = tag_name(&format!("race{round}"));
        let args = s.args(&name, &[], &["sh", "-c", "sleep 1; echo survived"]);
        let spawn = || {
            Command::new(cgctl_bin())
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
        };
        let (a, b) = (spawn()?, spawn()?);
        let outs: Vec<Output> = vec![a.wait_with_output()?, b.wait_with_output()?];
        let mut codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
        codes.sort();
        let all: Vec<String> = outs.iter().map(|o| text(&o.stderr)).collect();
        ensure_eq!(codes, vec![Some(0), Some(125)], "round {round}: {all:?}");
        let winner = outs
            .iter()
            .find(|o| o.status.code() == Some(0))
            .ok_or("none")?;
        ensure_eq!(text(&winner.stdout), "survived\n");
        ensure_unloaded(&format!("cgctl-{name}.scope"))?;
    }
    Ok(())
}

/// A scope made by someone else (`systemd-run --scope`), stopped on drop.
struct ForeignScope {
    unit: String,
    child: KillOnDrop,
}

impl ForeignScope {
    fn start(tag: &str) -> Result<ForeignScope, Failed> {
        let unit = format!("{}.scope", tag_name(tag));
        let child = Command::new("systemd-run")
            .args(["--scope", "--quiet", "--unit", &unit, "sleep", "120"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let scope = ForeignScope {
            unit,
            child: KillOnDrop(child),
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while active_state(&scope.unit).ok().as_deref() != Some("active") {
            ensure!(Instant::now() < deadline, "{} did not start", scope.unit);
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(scope)
    }
}

impl Drop for ForeignScope {
    fn drop(&mut self) {
        let _ = client().stop_unit(&self.unit);
        let _ = self.child.0.kill();
    }
}

fn commands_that_change_refuse_units_cgctl_did_not_make() -> Result<(), Failed> {
    let foreign = ForeignScope::start("foreign")?;
    let cgroup = client().unit_property(
        &foreign.unit,
        "org.freedesktop.systemd1.Scope",
        "ControlGroup",
    )?;
    let journald = "/system.slice/systemd-journald.service";
    let targets: [(&str, &[&str]); 6] = [
        (&foreign.unit, &[]),
        (&cgroup, &[]),
        (&cgroup, &["--driver", "systemd"]),
        ("init.scope", &[]),
        ("/init.scope", &["--driver", "systemd"]),
        (journald, &[]),
    ];
    let commands: [&[&str]; 5] = [
        &["update", "--pids", "5"],
        &["freeze"],
        &["thaw"],
        &["kill"],
        &["destroy", "--kill"],
    ];
    for (target, flags) in targets {
        for command in commands {
            let mut args = command.to_vec();
            args.extend_from_slice(flags);
            args.push(target);
            let out = cgctl(&args)?;
            ensure_exit(&args.join(" "), &out, 125)?;
            let err = text(&out.stderr);
            ensure!(
                err.contains("not a scope made by `cgctl run`"),
                "{args:?}: {err}"
            );
        }
    }
    // A unit of another type by name: not a scope, said so.
    let out = cgctl(&["kill", "systemd-journald.service"])?;
    ensure_exit("kill systemd-journald.service", &out, 125)?;
    ensure!(
        text(&out.stderr).contains("is not a scope"),
        "{}",
        text(&out.stderr)
    );
    ensure_eq!(active_state(&foreign.unit)?, "active");
    ensure_eq!(active_state("init.scope")?, "active");
    // Reading is fine.
    let ps = cgctl(&["ps", &foreign.unit])?;
    ensure_exit("ps", &ps, 0)?;
    ensure!(!text(&ps.stdout).trim().is_empty(), "no pid listed");
    // The foreign scope's processes were never frozen or killed.
    let procs = std::path::Path::new("/sys/fs/cgroup")
        .join(cgroup.trim_start_matches('/'))
        .join("cgroup.events");
    #[allow(clippy::disallowed_methods)] // reading back a cgroup file
    let events = std::fs::read_to_string(procs)?;
    ensure!(
        events.contains("populated 1") && events.contains("frozen 0"),
        "{events}"
    );
    Ok(())
}

fn cgctl_killed_by_sigkill_leaves_no_scope_and_no_process() -> Result<(), Failed> {
    let s = Slice::new("sigkill");
    let name = tag_name("sigkill");
    // The command ignores SIGTERM: systemd's stop must still end it.
    let script = "trap '' TERM; echo ready $$; sleep 120 & wait";
    let (mut run, pid) = start_ready(&s.args(&name, &[], &["sh", "-c", script]))?;
    ensure!(alive(pid), "the command is not running");
    run.0.kill()?;
    run.0.wait()?;
    ensure_unloaded(&format!("cgctl-{name}.scope"))?;
    ensure!(!alive(pid), "the command {pid} outlived cgctl");
    Ok(())
}

fn a_slice_systemd_escapes_is_reported_where_systemd_put_it() -> Result<(), Failed> {
    // A leading '_' is doubled in the cgroup path (systemd's cg_escape).
    let slice = Slice(format!("_{}.slice", tag_name("esc")));
    let name = tag_name("esc");
    let out = cgctl(&slice.args(&name, &["--json"], &["cat", "/proc/self/cgroup"]))?;
    ensure_exit("run", &out, 0)?;
    let stdout = text(&out.stdout);
    let own = stdout
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or_else(|| format!("no 0:: line: {stdout}"))?;
    ensure_eq!(own, format!("/_{}/cgctl-{name}.scope", slice.0));
    let last = stdout.lines().last().ok_or("no summary")?;
    let doc: serde_json::Value = serde_json::from_str(last)?;
    ensure_eq!(doc["cgroup"], own, "{doc}");
    ensure_unloaded(&format!("cgctl-{name}.scope"))
}

/// `update` by the cgroup path of a scope whose slice systemd escapes
/// (`/__x.slice/cgctl-NAME.scope`) is recognised as that scope and goes to systemd:
/// the unit's TasksMax changes, not just the cgroup file.
fn update_by_the_cgroup_of_a_scope_in_an_escaped_slice_goes_to_systemd() -> Result<(), Failed> {
    let slice = Slice(format!("_{}.slice", tag_name("escupd")));
    let name = tag_name("escupd");
    let unit = format!("cgctl-{name}.scope");
    let script = format!(
        "p=$(sed -n 's/^0:://p' /proc/self/cgroup); echo \"cgroup $p\"; \
         \"$CGCTL\" update \"$p\" --pids 5 >&2 || exit 9; \
         echo \"tasksmax $(systemctl show -p TasksMax --value {unit})\""
    );
    let out = Command::new(cgctl_bin())
        .args(slice.args(&name, &[], &["sh", "-c", &script]))
        .env("CGCTL", cgctl_bin())
        .output()?;
    ensure_exit("run", &out, 0)?;
    let stdout = text(&out.stdout);
    ensure!(
        stdout.contains(&format!("cgroup /_{}/{unit}", slice.0)),
        "not in the escaped slice: {stdout}"
    );
    ensure!(
        stdout.lines().any(|l| l == "tasksmax 5"),
        "TasksMax of {unit} was not set through systemd: {stdout}\n{}",
        text(&out.stderr)
    );
    ensure_unloaded(&unit)
}

fn hostile_names_are_refused_before_systemd_is_asked() -> Result<(), Failed> {
    let s = Slice::new("names");
    let long = "a".repeat(300);
    for name in ["a/b", "a\nb", "a@b", "x.slice", "", &long] {
        let out = cgctl(&s.args(name, &[], &["sh", "-c", "echo ran"]))?;
        ensure_exit(&format!("--name {name:?}"), &out, 125)?;
        ensure!(!text(&out.stdout).contains("ran"), "{name:?} ran");
    }
    for parent in [
        "a b.slice",
        "a@b.slice",
        "a\nb.slice",
        "init.scope",
        "/cgctl",
    ] {
        let out = cgctl(&[
            "run", "--driver", "systemd", "--parent", parent, "--", "true",
        ])?;
        ensure_exit(&format!("--parent {parent:?}"), &out, 125)?;
        ensure!(
            text(&out.stderr).contains("--parent"),
            "{}",
            text(&out.stderr)
        );
    }
    Ok(())
}

fn the_command_gets_the_callers_environment_and_default_signals() -> Result<(), Failed> {
    let s = Slice::new("env");
    let name = tag_name("env");
    let out = Command::new(cgctl_bin())
        .args(s.args(&name, &[], &["env"]))
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("CGTEST_PROBE", "1")
        .output()?;
    ensure_exit("run env", &out, 0)?;
    let mut env: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    env.sort();
    ensure_eq!(
        env,
        vec!["CGTEST_PROBE=1", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
    );
    // Ignored signals and the mask as this test's own child has them: cgctl's
    // handlers (SIGINT, SIGTERM, SIGHUP, SIGQUIT) and ignored SIGPIPE are not passed on.
    let grep = ["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"];
    let direct = Command::new(grep[0]).args(&grep[1..]).output()?;
    let name = tag_name("sigs");
    let out = cgctl(&s.args(&name, &[], &grep))?;
    ensure_exit("run grep", &out, 0)?;
    ensure_eq!(text(&out.stdout), text(&direct.stdout));
    ensure!(text(&direct.stdout).contains("SigBlk:\t0000000000000000"));
    // Signals the caller ignores stay ignored (nohup): SIGHUP and SIGINT here.
    let name = tag_name("nohup");
    let mut args = vec!["-c", "trap '' HUP INT; exec \"$0\" \"$@\""];
    let bin = cgctl_bin();
    let bin = bin.to_string_lossy();
    args.push(&bin);
    let run = s.args(&name, &[], &grep);
    args.extend(run);
    let out = Command::new("sh").args(&args).output()?;
    ensure_exit("run under trap", &out, 0)?;
    let stdout = text(&out.stdout);
    let mask = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .ok_or_else(|| format!("no SigIgn: {stdout}"))?;
    ensure_eq!(mask & 0b11, 0b11, "SIGHUP and SIGINT not ignored: {stdout}");
    let name = tag_name("noexec");
    let out = cgctl(&s.args(&name, &["--json"], &["/etc/passwd"]))?;
    ensure_exit("run /etc/passwd", &out, 126)?;
    ensure_unloaded(&format!("cgctl-{name}.scope"))
}

fn a_memory_limit_below_what_the_scope_holds_ends_the_run_and_leaves_nothing() -> Result<(), Failed>
{
    // Below what the gated helper and the keeper hold: the OOM killer ends the run
    // before the command runs (when the keeper goes too, systemd removes the scope
    // before the usage is read: the summary then carries `usage_error`).
    let s = Slice::new("tinymem");
    for (i, limit) in ["1", "64K"].into_iter().enumerate() {
        let name = tag_name(&format!("tinymem{i}"));
        let args = s.args(
            &name,
            &["--memory", limit, "--json"],
            &["sh", "-c", "echo ran"],
        );
        let out = cgctl(&args)?;
        let what = format!("--memory {limit}: {}", text(&out.stderr));
        ensure_exit(&what, &out, 137)?;
        let stdout = text(&out.stdout);
        ensure!(
            stdout.lines().all(|l| l != "ran"),
            "{what}: the command ran"
        );
        let doc: serde_json::Value = serde_json::from_str(stdout.trim())?;
        ensure_eq!(doc["signal"], 9, "{doc}");
        ensure_eq!(doc["exit_code"], 137, "{doc}");
        let usage_known = doc["usage"]["oom_kills"].as_u64().is_some();
        ensure!(usage_known || doc["usage_error"].is_string(), "{doc}");
        ensure_unloaded(&format!("cgctl-{name}.scope"))?;
    }
    Ok(())
}

fn the_hidden_helper_refuses_stdio_and_a_descriptor_given_twice() -> Result<(), Failed> {
    let bin = cgctl_bin();
    let bin = bin.to_string_lossy();
    let cases = [
        // The command's stdio is no gate.
        format!("echo x | {bin} __hold --gate 0 --errors 4 4>/dev/null -- echo ran"),
        // One pipe as gate and errors would be closed twice.
        format!("echo x | {bin} __hold --gate 3 --errors 3 3<&0 -- echo ran"),
        // A command without the errors pipe.
        format!("echo x | {bin} __hold --gate 3 3<&0 -- echo ran"),
        // Not a pipe.
        format!("{bin} __hold --gate 3 3</dev/null -- echo ran"),
    ];
    for script in &cases {
        let out = Command::new("sh").args(["-c", script]).output()?;
        ensure_exit(script, &out, 125)?;
        ensure!(!text(&out.stdout).contains("ran"), "{script}: ran");
        ensure!(
            text(&out.stderr).contains("__hold is internal"),
            "{}",
            text(&out.stderr)
        );
    }
    // A keeper started by hand outside a cgctl scope stops nothing.
    let script = format!("true | {bin} __hold --gate 3 --scope init.scope 3<&0");
    let out = Command::new("sh").args(["-c", &script]).output()?;
    ensure_exit(&script, &out, 0)?;
    Ok(())
}

fn main() {
    let real = [
        Test::new(
            "a_second_run_of_the_same_name_is_refused_and_the_first_goes_on",
            a_second_run_of_the_same_name_is_refused_and_the_first_goes_on,
        ),
        // Reads the foreign scope's cgroup2 files: pure v2 only.
        Test::new(
            "commands_that_change_refuse_units_cgctl_did_not_make",
            commands_that_change_refuse_units_cgctl_did_not_make,
        )
        .needs(Need::PureV2),
        Test::new(
            "cgctl_killed_by_sigkill_leaves_no_scope_and_no_process",
            cgctl_killed_by_sigkill_leaves_no_scope_and_no_process,
        ),
        Test::new(
            "a_slice_systemd_escapes_is_reported_where_systemd_put_it",
            a_slice_systemd_escapes_is_reported_where_systemd_put_it,
        ),
        // The fs write after the property needs the controller (systemd-vm).
        Test::new(
            "update_by_the_cgroup_of_a_scope_in_an_escaped_slice_goes_to_systemd",
            update_by_the_cgroup_of_a_scope_in_an_escaped_slice_goes_to_systemd,
        )
        .needs(Need::V2Controller("pids")),
        Test::new(
            "hostile_names_are_refused_before_systemd_is_asked",
            hostile_names_are_refused_before_systemd_is_asked,
        ),
        Test::new(
            "the_command_gets_the_callers_environment_and_default_signals",
            the_command_gets_the_callers_environment_and_default_signals,
        ),
    ];
    let mut tests: Vec<Test> = real
        .into_iter()
        .chain([Test::new(
            "a_memory_limit_below_what_the_scope_holds_ends_the_run_and_leaves_nothing",
            a_memory_limit_below_what_the_scope_holds_ends_the_run_and_leaves_nothing,
        )
        .needs(Need::V2Controller("memory"))])
        .map(|t| t.needs(Need::Root).needs(Need::Systemd))
        .collect();
    tests.push(Test::new(
        "the_hidden_helper_refuses_stdio_and_a_descriptor_given_twice",
        the_hidden_helper_refuses_stdio_and_a_descriptor_given_twice,
    ));
    ktest::main(tests)
}
