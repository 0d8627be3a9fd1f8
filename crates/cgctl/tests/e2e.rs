//! End-to-end tests of `cgctl` on the real kernel of this machine.
//!
//! Each test runs the built binary with `--parent /cgtest-<pid>-...` so that every
//! cgroup it makes sits below a uniquely named test parent, which a guard removes
//! from every hierarchy afterwards. On a hybrid host no process may join a v1 memory
//! cgroup, so host tests pass `--controllers` without memory; the default (every
//! hierarchy) is covered by the tests that need `V1MemoryAttach`.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::{NO_MEMORY, cgctl, cgctl_bin, ensure_exit, parent, run_args, text};
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

/// The directories left under the test parent in every hierarchy.
fn leftovers(parent: &str) -> Vec<PathBuf> {
    let mut left = Vec::new();
    for h in ktest::mounts::hierarchies() {
        let dir = h.mount_point.join(parent);
        #[allow(clippy::disallowed_methods)] // listing a test tree, not a kernel interface file
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    left.push(e.path());
                }
            }
        }
    }
    left
}

/// Fails when a directory is left under the test parent in any hierarchy.
fn ensure_nothing_left(parent: &str) -> Result<(), Failed> {
    let left = leftovers(parent);
    ensure!(left.is_empty(), "left behind: {left:?}");
    Ok(())
}

fn has_parent(parent: &str) -> bool {
    ktest::mounts::hierarchies()
        .iter()
        .any(|h| h.mount_point.join(parent).exists())
}

/// `cgctl run --parent PARENT --controllers NO_MEMORY EXTRA -- COMMAND`, waited for.
fn run_in(parent: &str, extra: &[&str], command: &[&str]) -> Result<Output, Failed> {
    cgctl(&run_args(parent, NO_MEMORY, extra, command))
}

/// `cgctl ARGS --controllers NO_MEMORY` on a kept cgroup, which must succeed.
fn on_kept(args: &[&str]) -> Result<Output, Failed> {
    let out = cgctl(&[args, &["--controllers", NO_MEMORY]].concat())?;
    ensure_exit(args[0], &out, 0)?;
    Ok(out)
}

/// [`run_in`] with `--resources FILE` (FILE holding `json`) before `extra`; returns
/// the output and the file's path. The file is removed afterwards.
fn run_with_resources(
    parent: &str,
    json: &str,
    extra: &[&str],
    command: &[&str],
) -> Result<(Output, String), Failed> {
    let file = std::env::temp_dir().join(format!("{parent}.json"));
    #[allow(clippy::disallowed_methods)] // a config file for cgctl, not a kernel interface
    std::fs::write(&file, json)?;
    let resources = file.to_string_lossy().into_owned();
    let flags = [&["--resources", resources.as_str()], extra].concat();
    let out = run_in(parent, &flags, command);
    #[allow(clippy::disallowed_methods)]
    let _ = std::fs::remove_file(&file);
    Ok((out?, resources))
}

fn exit_status_of_the_command_is_returned_and_nothing_is_left() -> Result<(), Failed> {
    let p = parent("e2e-status");
    let out = run_in(&p.name, &["--pids", "32"], &["sh", "-c", "exit 3"])?;
    ensure_exit("run", &out, 3)?;
    let summary = text(&out.stderr);
    ensure!(
        summary.contains("exited with status 3"),
        "summary: {summary}"
    );
    ensure_nothing_left(&p.name)?;
    Ok(())
}

fn limits_are_in_place_before_the_command_runs() -> Result<(), Failed> {
    let p = parent("e2e-limits");
    // The command reads its own cgroup's files: the limits must already be there.
    let script = "set -e; \
        d=$(sed -n 's/^[0-9]*:pids:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
        cat /sys/fs/cgroup/pids$d/pids.max; \
        c=$(sed -n 's/^[0-9]*:cpu\\(,cpuacct\\)\\{0,1\\}:\\(.*\\)$/\\2/p' /proc/self/cgroup); \
        cat /sys/fs/cgroup/cpu$c/cpu.cfs_quota_us /sys/fs/cgroup/cpu$c/cpu.cfs_period_us";
    let out = run_in(
        &p.name,
        &["--pids", "32", "--cpus", "0.5"],
        &["sh", "-c", script],
    )?;
    ensure_exit("run", &out, 0)?;
    ensure_eq!(text(&out.stdout), "32\n50000\n100000\n");
    Ok(())
}

fn the_command_starts_inside_the_cgroup() -> Result<(), Failed> {
    let p = parent("e2e-inside");
    let out = run_in(&p.name, &[], &["cat", "/proc/self/cgroup"])?;
    ensure_exit("run", &out, 0)?;
    let own = text(&out.stdout);
    for controller in ["cpu", "pids", "freezer"] {
        let line = own
            .lines()
            // cpu may be co-mounted with cpuacct (`N:cpu,cpuacct:/...`).
            .find(|l| {
                l.split(':')
                    .nth(1)
                    .is_some_and(|c| c.split(',').any(|c| c == controller))
            });
        let path = line.and_then(|l| l.splitn(3, ':').nth(2)).unwrap_or("");
        ensure!(
            path.starts_with(&format!("/{}/run-", p.name)),
            "{controller}: {own}"
        );
    }
    Ok(())
}

fn a_command_that_is_not_found_exits_127_and_leaves_nothing() -> Result<(), Failed> {
    let p = parent("e2e-notfound");
    let out = run_in(&p.name, &[], &["/nonexistent/cgctl-test-command"])?;
    ensure_exit("run", &out, 127)?;
    ensure_nothing_left(&p.name)?;
    Ok(())
}

fn a_command_killed_by_a_signal_exits_128_plus_the_signal() -> Result<(), Failed> {
    let p = parent("e2e-signal");
    let out = run_in(&p.name, &[], &["sh", "-c", "kill -KILL $$"])?;
    ensure_exit("run", &out, 137)?;
    ensure_nothing_left(&p.name)?;
    Ok(())
}

fn json_summary_reports_usage() -> Result<(), Failed> {
    let p = parent("e2e-json");
    let busy = "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done";
    let out = run_in(&p.name, &["--json"], &["sh", "-c", busy])?;
    ensure_exit("run", &out, 0)?;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure_eq!(doc["exit_code"], 0);
    let cpu = doc["usage"]["cpu_total_ns"].as_u64().unwrap_or(0);
    ensure!(cpu > 0, "no CPU time reported: {doc}");
    ensure!(doc["wall_time_ms"].is_u64(), "{doc}");
    Ok(())
}

fn bad_size_is_refused_before_anything_is_created() -> Result<(), Failed> {
    let p = parent("e2e-badsize");
    let out = run_in(&p.name, &["--memory", "12Q"], &["true"])?;
    ensure_exit("run", &out, 125)?;
    let err = text(&out.stderr);
    ensure!(
        err.contains("12Q"),
        "message does not name the value: {err}"
    );
    ensure!(
        leftovers(&p.name).is_empty() && !has_parent(&p.name),
        "something was created"
    );
    Ok(())
}

fn a_limit_for_an_unjoined_controller_is_a_clear_error() -> Result<(), Failed> {
    let p = parent("e2e-nomem");
    let args = run_args(&p.name, "cpu,pids", &["--memory", "64M"], &["true"]);
    let out = cgctl(&args)?;
    ensure_exit("run", &out, 125)?;
    let err = text(&out.stderr);
    ensure!(
        err.contains("memory"),
        "message does not name the controller: {err}"
    );
    ensure_nothing_left(&p.name)?;
    Ok(())
}

fn kept_cgroup_can_be_inspected_frozen_thawed_and_destroyed() -> Result<(), Failed> {
    let p = parent("e2e-keep");
    let path = format!("/{}/kept", p.name);
    let out = run_in(
        &p.name,
        &["--name", "kept", "--keep", "--pids", "16"],
        &["true"],
    )?;
    ensure_exit("run", &out, 0)?;
    on_kept(&["update", &path, "--pids", "8"])?;
    let pids_max = ktest::mounts::v1_hierarchy("pids")
        .map(|h| h.mount_point.join(&p.name).join("kept/pids.max"))
        .ok_or("no pids hierarchy")?;
    #[allow(clippy::disallowed_methods)] // reading back what cgctl wrote, as a person would
    let value = std::fs::read_to_string(&pids_max)?;
    ensure_eq!(value, "8\n");
    for cmd in ["freeze", "thaw", "kill"] {
        on_kept(&[cmd, &path])?;
    }
    let ps = on_kept(&["ps", &path])?;
    ensure_eq!(text(&ps.stdout), "");
    on_kept(&["destroy", &path])?;
    ensure_nothing_left(&p.name)?;
    Ok(())
}

fn default_run_joins_every_hierarchy_including_memory() -> Result<(), Failed> {
    let p = parent("e2e-default");
    let out = cgctl(&[
        "run",
        "--driver",
        "cgroupfs",
        "--parent",
        &p.name,
        "--memory",
        "64M",
        "--",
        "cat",
        "/proc/self/cgroup",
    ])?;
    ensure_exit("run", &out, 0)?;
    let own = text(&out.stdout);
    let memory = own
        .lines()
        .find(|l| l.split(':').nth(1) == Some("memory"))
        .unwrap_or("");
    ensure!(
        memory.contains(&format!("/{}/run-", p.name)),
        "not in memory cgroup: {own}"
    );
    Ok(())
}

fn info_describes_the_layout() -> Result<(), Failed> {
    let out = cgctl(&["info", "--json"])?;
    ensure_exit("info", &out, 0)?;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(doc["mode"].is_string(), "{doc}");
    ensure!(doc["features"]["openat2"].is_boolean(), "{doc}");
    Ok(())
}

fn sigterm_is_forwarded_and_the_command_decides_the_status() -> Result<(), Failed> {
    let p = parent("e2e-sigterm");
    let script = "trap 'exit 7' TERM; echo ready; sleep 30 & wait";
    let mut child = Command::new(cgctl_bin())
        .args(run_args(&p.name, NO_MEMORY, &[], &["sh", "-c", script]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut ready = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready)?;
    ensure_eq!(ready, "ready\n");
    let pid = rustix::process::Pid::from_raw(child.id() as i32).ok_or("bad pid")?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    let out = child.wait_with_output()?;
    ensure_exit("run", &out, 7)?;
    ensure_nothing_left(&p.name)?;
    Ok(())
}

fn oci_resources_file_is_applied_and_flags_override_it() -> Result<(), Failed> {
    let p = parent("e2e-oci");
    let json =
        r#"{"pids": {"limit": 7}, "cpu": {"quota": 20000, "period": 100000, "shares": 512}}"#;
    let script = "d=$(sed -n 's/^[0-9]*:pids:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
        c=$(sed -n 's/^[0-9]*:cpu\\(,cpuacct\\)\\{0,1\\}:\\(.*\\)$/\\2/p' /proc/self/cgroup); \
        cat /sys/fs/cgroup/pids$d/pids.max /sys/fs/cgroup/cpu$c/cpu.cfs_quota_us \
            /sys/fs/cgroup/cpu$c/cpu.shares";
    let flags = ["--cpu-shares", "256"];
    let (out, _) = run_with_resources(&p.name, json, &flags, &["sh", "-c", script])?;
    ensure_exit("run", &out, 0)?;
    ensure_eq!(text(&out.stdout), "7\n20000\n256\n");
    Ok(())
}

fn a_bad_oci_resources_file_is_refused_naming_the_file() -> Result<(), Failed> {
    let p = parent("e2e-badoci");
    let json = r#"{"memory": {"limit": -5}}"#;
    let (out, resources) = run_with_resources(&p.name, json, &[], &["true"])?;
    ensure_exit("run", &out, 125)?;
    let err = text(&out.stderr);
    ensure!(
        err.contains(&resources),
        "message does not name the file: {err}"
    );
    ensure!(!has_parent(&p.name), "something was created");
    Ok(())
}

/// Builds a rootfs whose /etc/passwd is an absolute symlink and whose /etc/group
/// points at the host's file: both must resolve inside the rootfs.
#[allow(clippy::disallowed_methods)] // building a fixture tree, not a kernel interface
fn user_is_resolved_inside_the_rootfs() -> Result<(), Failed> {
    let root = std::env::temp_dir().join(TestCgroup::name_for("rootfs"));
    let result = (|| -> Result<(), Failed> {
        std::fs::create_dir_all(root.join("etc"))?;
        std::fs::create_dir_all(root.join("usr/lib"))?;
        std::fs::write(
            root.join("usr/lib/passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
        )?;
        std::os::unix::fs::symlink("/usr/lib/passwd", root.join("etc/passwd"))?;
        std::fs::write(root.join("usr/lib/group"), "app:x:1000:\nvideo:x:44:app\n")?;
        std::os::unix::fs::symlink("../../../../../usr/lib/group", root.join("etc/group"))?;
        let rootfs = root.to_string_lossy().into_owned();
        let out = cgctl(&["user", &rootfs, "app", "--json"])?;
        ensure_exit("user", &out, 0)?;
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        ensure_eq!(doc["uid"], 1000);
        ensure_eq!(doc["groups"], serde_json::json!([44]));
        let missing = cgctl(&["user", &rootfs, "nobody-here"])?;
        ensure_exit("user", &missing, 125)?;
        ensure!(
            text(&missing.stderr).contains("nobody-here"),
            "{}",
            text(&missing.stderr)
        );
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&root);
    result
}

fn parent_levels_created_by_a_failed_run_are_removed() -> Result<(), Failed> {
    let p = parent("e2e-levels");
    let nested = format!("/{}/a/b", p.name);
    // The kernel refuses a CPU that does not exist: the run fails after creating.
    let refused = run_in(&nested, &["--cpuset-cpus", "4095"], &["true"])?;
    ensure_exit("run", &refused, 125)?;
    ensure!(
        !has_parent(&p.name),
        "a created parent level was left behind"
    );
    let missing = run_in(&nested, &[], &["/nonexistent/cmd"])?;
    ensure_exit("run", &missing, 127)?;
    ensure!(
        !has_parent(&p.name),
        "a created parent level was left behind"
    );
    Ok(())
}

fn a_mistyped_flag_is_a_cgctl_failure() -> Result<(), Failed> {
    let out = cgctl(&["run", "--memroy", "1G", "--", "true"])?;
    ensure_exit("run", &out, 125)?;
    ensure!(
        text(&out.stderr).contains("--memroy"),
        "{}",
        text(&out.stderr)
    );
    let help = cgctl(&["run", "--help"])?;
    ensure_exit("run --help", &help, 0)?;
    ensure!(
        text(&help.stdout).contains("Exit status"),
        "help lacks exit codes"
    );
    Ok(())
}

fn an_existing_cgroup_is_never_taken_over() -> Result<(), Failed> {
    let p = parent("e2e-dup");
    let first = run_in(&p.name, &["--name", "same", "--keep"], &["true"])?;
    ensure_exit("run", &first, 0)?;
    let second = run_in(&p.name, &["--name", "same"], &["true"])?;
    ensure_exit("run", &second, 125)?;
    ensure!(
        text(&second.stderr).contains("already exists"),
        "{}",
        text(&second.stderr)
    );
    on_kept(&["destroy", &format!("/{}/same", p.name)])?;
    Ok(())
}

fn a_closed_stdout_pipe_does_not_change_the_exit_status() -> Result<(), Failed> {
    let p = parent("e2e-epipe");
    let command = ["sh", "-c", "sleep 0.3; exit 4"];
    let mut child = Command::new(cgctl_bin())
        .args(run_args(&p.name, NO_MEMORY, &["--json"], &command))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    drop(child.stdout.take());
    ensure_eq!(child.wait()?.code(), Some(4));
    Ok(())
}

fn main() {
    let mut tests = ktest::tests_needing(
        &common::HOST,
        &[
            (
                "exit_status_of_the_command_is_returned_and_nothing_is_left",
                exit_status_of_the_command_is_returned_and_nothing_is_left,
            ),
            (
                "limits_are_in_place_before_the_command_runs",
                limits_are_in_place_before_the_command_runs,
            ),
            (
                "the_command_starts_inside_the_cgroup",
                the_command_starts_inside_the_cgroup,
            ),
            (
                "a_command_that_is_not_found_exits_127_and_leaves_nothing",
                a_command_that_is_not_found_exits_127_and_leaves_nothing,
            ),
            (
                "a_command_killed_by_a_signal_exits_128_plus_the_signal",
                a_command_killed_by_a_signal_exits_128_plus_the_signal,
            ),
            ("json_summary_reports_usage", json_summary_reports_usage),
            (
                "oci_resources_file_is_applied_and_flags_override_it",
                oci_resources_file_is_applied_and_flags_override_it,
            ),
            (
                "a_bad_oci_resources_file_is_refused_naming_the_file",
                a_bad_oci_resources_file_is_refused_naming_the_file,
            ),
            (
                "sigterm_is_forwarded_and_the_command_decides_the_status",
                sigterm_is_forwarded_and_the_command_decides_the_status,
            ),
            (
                "bad_size_is_refused_before_anything_is_created",
                bad_size_is_refused_before_anything_is_created,
            ),
            (
                "a_limit_for_an_unjoined_controller_is_a_clear_error",
                a_limit_for_an_unjoined_controller_is_a_clear_error,
            ),
            (
                "kept_cgroup_can_be_inspected_frozen_thawed_and_destroyed",
                kept_cgroup_can_be_inspected_frozen_thawed_and_destroyed,
            ),
            (
                "an_existing_cgroup_is_never_taken_over",
                an_existing_cgroup_is_never_taken_over,
            ),
            (
                "a_closed_stdout_pipe_does_not_change_the_exit_status",
                a_closed_stdout_pipe_does_not_change_the_exit_status,
            ),
            (
                "parent_levels_created_by_a_failed_run_are_removed",
                parent_levels_created_by_a_failed_run_are_removed,
            ),
        ],
    );
    tests.extend([
        Test::new(
            "default_run_joins_every_hierarchy_including_memory",
            default_run_joins_every_hierarchy_including_memory,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("memory"))
        .needs(Need::V1MemoryAttach),
        Test::new("info_describes_the_layout", info_describes_the_layout),
        Test::new(
            "a_mistyped_flag_is_a_cgctl_failure",
            a_mistyped_flag_is_a_cgctl_failure,
        ),
        Test::new(
            "user_is_resolved_inside_the_rootfs",
            user_is_resolved_inside_the_rootfs,
        ),
    ]);
    ktest::main(tests)
}
