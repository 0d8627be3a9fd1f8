//! End-to-end tests of `cgctl` on the real kernel of this machine.
//!
//! Each test runs the built binary with `--parent /cgtest-<pid>-...` so that every
//! cgroup it makes sits below a uniquely named test parent, which a guard removes
//! from every hierarchy afterwards. On a hybrid host no process may join a v1 memory
//! cgroup, so host tests pass `--controllers` without memory; the default (every
//! hierarchy) is covered by the tests that need `V1MemoryAttach`.

use std::path::PathBuf;
use std::process::{Command, Output};

use ktest::{CleanupGuard, Failed, Need, Test, TestCgroup, ensure, ensure_eq};

/// Every v1 hierarchy of the host except memory, as `--controllers` takes them.
const NO_MEMORY: &str = "cpu,cpuacct,cpuset,devices,freezer,blkio,pids,name=systemd";

struct Parent {
    name: String,
    _guard: CleanupGuard,
}

/// A unique parent name and a guard removing it from every hierarchy.
fn parent(tag: &str) -> Parent {
    let name = TestCgroup::name_for(tag);
    let paths: Vec<PathBuf> = ktest::mounts::hierarchies()
        .iter()
        .map(|h| h.mount_point.join(&name))
        .collect();
    Parent {
        _guard: ktest::cleanup_guard(paths),
        name,
    }
}

/// The cgctl binary: `CGCTL_BIN` (set in the VM tiers, where cargo's path does not
/// exist), else the one cargo built for this test.
fn cgctl_bin() -> std::ffi::OsString {
    std::env::var_os("CGCTL_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_cgctl").into())
}

fn cgctl(args: &[&str]) -> Result<Output, Failed> {
    Ok(Command::new(cgctl_bin()).args(args).output()?)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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

fn run_in(parent: &str, extra: &[&str], command: &[&str]) -> Result<Output, Failed> {
    let mut args = vec!["run", "--parent", parent, "--controllers", NO_MEMORY];
    args.extend_from_slice(extra);
    args.push("--");
    args.extend_from_slice(command);
    cgctl(&args)
}

fn exit_status_of_the_command_is_returned_and_nothing_is_left() -> Result<(), Failed> {
    let p = parent("e2e-status");
    let out = run_in(&p.name, &["--pids", "32"], &["sh", "-c", "exit 3"])?;
    ensure_eq!(out.status.code(), Some(3));
    let summary = text(&out.stderr);
    ensure!(
        summary.contains("exited with status 3"),
        "summary: {summary}"
    );
    ensure!(
        leftovers(&p.name).is_empty(),
        "left behind: {:?}",
        leftovers(&p.name)
    );
    Ok(())
}

fn limits_are_in_place_before_the_command_runs() -> Result<(), Failed> {
    let p = parent("e2e-limits");
    // The command reads its own cgroup's files: the limits must already be there.
    let script = "set -e; \
        d=$(sed -n 's/^[0-9]*:pids:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
        cat /sys/fs/cgroup/pids$d/pids.max; \
        c=$(sed -n 's/^[0-9]*:cpu:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
        cat /sys/fs/cgroup/cpu$c/cpu.cfs_quota_us /sys/fs/cgroup/cpu$c/cpu.cfs_period_us";
    let out = run_in(
        &p.name,
        &["--pids", "32", "--cpus", "0.5"],
        &["sh", "-c", script],
    )?;
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    ensure_eq!(text(&out.stdout), "32\n50000\n100000\n");
    Ok(())
}

fn the_command_starts_inside_the_cgroup() -> Result<(), Failed> {
    let p = parent("e2e-inside");
    let out = run_in(&p.name, &[], &["cat", "/proc/self/cgroup"])?;
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let own = text(&out.stdout);
    for controller in ["cpu", "pids", "freezer"] {
        let line = own
            .lines()
            .find(|l| l.split(':').nth(1) == Some(controller));
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
    ensure_eq!(
        out.status.code(),
        Some(127),
        "stderr: {}",
        text(&out.stderr)
    );
    ensure!(
        leftovers(&p.name).is_empty(),
        "left behind: {:?}",
        leftovers(&p.name)
    );
    Ok(())
}

fn a_command_killed_by_a_signal_exits_128_plus_the_signal() -> Result<(), Failed> {
    let p = parent("e2e-signal");
    let out = run_in(&p.name, &[], &["sh", "-c", "kill -KILL $$"])?;
    ensure_eq!(out.status.code(), Some(137));
    ensure!(
        leftovers(&p.name).is_empty(),
        "left behind: {:?}",
        leftovers(&p.name)
    );
    Ok(())
}

fn json_summary_reports_usage() -> Result<(), Failed> {
    let p = parent("e2e-json");
    let busy = "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done";
    let out = run_in(&p.name, &["--json"], &["sh", "-c", busy])?;
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
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
    ensure_eq!(out.status.code(), Some(125));
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

fn has_parent(parent: &str) -> bool {
    ktest::mounts::hierarchies()
        .iter()
        .any(|h| h.mount_point.join(parent).exists())
}

fn a_limit_for_an_unjoined_controller_is_a_clear_error() -> Result<(), Failed> {
    let p = parent("e2e-nomem");
    let out = cgctl(&[
        "run",
        "--parent",
        &p.name,
        "--controllers",
        "cpu,pids",
        "--memory",
        "64M",
        "--",
        "true",
    ])?;
    ensure_eq!(out.status.code(), Some(125));
    let err = text(&out.stderr);
    ensure!(
        err.contains("memory"),
        "message does not name the controller: {err}"
    );
    ensure!(
        leftovers(&p.name).is_empty(),
        "left behind: {:?}",
        leftovers(&p.name)
    );
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
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let ctl = ["--controllers", NO_MEMORY];
    let upd = cgctl(&[&["update", &path, "--pids", "8"][..], &ctl].concat())?;
    ensure_eq!(upd.status.code(), Some(0), "update: {}", text(&upd.stderr));
    let pids_max = ktest::mounts::v1_hierarchy("pids")
        .map(|h| h.mount_point.join(&p.name).join("kept/pids.max"))
        .ok_or("no pids hierarchy")?;
    #[allow(clippy::disallowed_methods)] // reading back what cgctl wrote, as a person would
    let value = std::fs::read_to_string(&pids_max)?;
    ensure_eq!(value, "8\n");
    for cmd in ["freeze", "thaw", "kill"] {
        let o = cgctl(&[&[cmd, path.as_str()][..], &ctl].concat())?;
        ensure_eq!(o.status.code(), Some(0), "{cmd}: {}", text(&o.stderr));
    }
    let ps = cgctl(&[&["ps", path.as_str()][..], &ctl].concat())?;
    ensure_eq!(ps.status.code(), Some(0));
    ensure_eq!(text(&ps.stdout), "");
    let d = cgctl(&[&["destroy", path.as_str()][..], &ctl].concat())?;
    ensure_eq!(d.status.code(), Some(0), "destroy: {}", text(&d.stderr));
    ensure!(
        leftovers(&p.name).is_empty(),
        "left behind: {:?}",
        leftovers(&p.name)
    );
    Ok(())
}

fn default_run_joins_every_hierarchy_including_memory() -> Result<(), Failed> {
    let p = parent("e2e-default");
    let out = cgctl(&[
        "run",
        "--parent",
        &p.name,
        "--memory",
        "64M",
        "--",
        "cat",
        "/proc/self/cgroup",
    ])?;
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
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
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(doc["mode"].is_string(), "{doc}");
    ensure!(doc["features"]["openat2"].is_boolean(), "{doc}");
    Ok(())
}

fn sigterm_is_forwarded_and_the_command_decides_the_status() -> Result<(), Failed> {
    let p = parent("e2e-sigterm");
    let script = "trap 'exit 7' TERM; echo ready; sleep 30 & wait";
    let mut child = Command::new(cgctl_bin())
        .args([
            "run",
            "--parent",
            &p.name,
            "--controllers",
            NO_MEMORY,
            "--",
            "sh",
            "-c",
            script,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut ready = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready)?;
    ensure_eq!(ready, "ready\n");
    let pid = rustix::process::Pid::from_raw(child.id() as i32).ok_or("bad pid")?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    let out = child.wait_with_output()?;
    ensure_eq!(out.status.code(), Some(7), "stderr: {}", text(&out.stderr));
    ensure!(
        leftovers(&p.name).is_empty(),
        "left behind: {:?}",
        leftovers(&p.name)
    );
    Ok(())
}

fn oci_resources_file_is_applied_and_flags_override_it() -> Result<(), Failed> {
    let p = parent("e2e-oci");
    let file = std::env::temp_dir().join(format!("{}.json", p.name));
    let json =
        r#"{"pids": {"limit": 7}, "cpu": {"quota": 20000, "period": 100000, "shares": 512}}"#;
    #[allow(clippy::disallowed_methods)] // a config file for cgctl, not a kernel interface
    std::fs::write(&file, json)?;
    let script = "d=$(sed -n 's/^[0-9]*:pids:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
        c=$(sed -n 's/^[0-9]*:cpu:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
        cat /sys/fs/cgroup/pids$d/pids.max /sys/fs/cgroup/cpu$c/cpu.cfs_quota_us \
            /sys/fs/cgroup/cpu$c/cpu.shares";
    let resources = file.to_string_lossy().into_owned();
    let out = run_in(
        &p.name,
        &["--resources", &resources, "--cpu-shares", "256"],
        &["sh", "-c", script],
    );
    #[allow(clippy::disallowed_methods)]
    let _ = std::fs::remove_file(&file);
    let out = out?;
    ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    ensure_eq!(text(&out.stdout), "7\n20000\n256\n");
    Ok(())
}

fn a_bad_oci_resources_file_is_refused_naming_the_file() -> Result<(), Failed> {
    let p = parent("e2e-badoci");
    let file = std::env::temp_dir().join(format!("{}.json", p.name));
    #[allow(clippy::disallowed_methods)] // a config file for cgctl, not a kernel interface
    std::fs::write(&file, r#"{"memory": {"limit": -5}}"#)?;
    let resources = file.to_string_lossy().into_owned();
    let out = run_in(&p.name, &["--resources", &resources], &["true"]);
    #[allow(clippy::disallowed_methods)]
    let _ = std::fs::remove_file(&file);
    let out = out?;
    ensure_eq!(out.status.code(), Some(125));
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
        ensure_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        ensure_eq!(doc["uid"], 1000);
        ensure_eq!(doc["groups"], serde_json::json!([44]));
        let missing = cgctl(&["user", &rootfs, "nobody-here"])?;
        ensure_eq!(missing.status.code(), Some(125));
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
    let refused = cgctl(&[
        "run",
        "--parent",
        &nested,
        "--controllers",
        NO_MEMORY,
        "--cpuset-cpus",
        "4095",
        "--",
        "true",
    ])?;
    ensure_eq!(
        refused.status.code(),
        Some(125),
        "stderr: {}",
        text(&refused.stderr)
    );
    ensure!(
        !has_parent(&p.name),
        "a created parent level was left behind"
    );
    let missing = cgctl(&[
        "run",
        "--parent",
        &nested,
        "--controllers",
        NO_MEMORY,
        "--",
        "/nonexistent/cmd",
    ])?;
    ensure_eq!(missing.status.code(), Some(127));
    ensure!(
        !has_parent(&p.name),
        "a created parent level was left behind"
    );
    Ok(())
}

fn a_mistyped_flag_is_a_cgctl_failure() -> Result<(), Failed> {
    let out = cgctl(&["run", "--memroy", "1G", "--", "true"])?;
    ensure_eq!(out.status.code(), Some(125));
    ensure!(
        text(&out.stderr).contains("--memroy"),
        "{}",
        text(&out.stderr)
    );
    let help = cgctl(&["run", "--help"])?;
    ensure_eq!(help.status.code(), Some(0));
    ensure!(
        text(&help.stdout).contains("Exit status"),
        "help lacks exit codes"
    );
    Ok(())
}

fn an_existing_cgroup_is_never_taken_over() -> Result<(), Failed> {
    let p = parent("e2e-dup");
    let first = run_in(&p.name, &["--name", "same", "--keep"], &["true"])?;
    ensure_eq!(
        first.status.code(),
        Some(0),
        "stderr: {}",
        text(&first.stderr)
    );
    let second = run_in(&p.name, &["--name", "same"], &["true"])?;
    ensure_eq!(second.status.code(), Some(125));
    ensure!(
        text(&second.stderr).contains("already exists"),
        "{}",
        text(&second.stderr)
    );
    let path = format!("/{}/same", p.name);
    let d = cgctl(&["destroy", &path, "--controllers", NO_MEMORY])?;
    ensure_eq!(d.status.code(), Some(0), "destroy: {}", text(&d.stderr));
    Ok(())
}

fn a_closed_stdout_pipe_does_not_change_the_exit_status() -> Result<(), Failed> {
    let p = parent("e2e-epipe");
    let mut child = Command::new(cgctl_bin())
        .args([
            "run",
            "--parent",
            &p.name,
            "--controllers",
            NO_MEMORY,
            "--json",
            "--",
        ])
        .args(["sh", "-c", "sleep 0.3; exit 4"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    drop(child.stdout.take());
    ensure_eq!(child.wait()?.code(), Some(4));
    Ok(())
}

fn main() {
    let v1 = |c| Need::V1Controller(c);
    let host = |t: Test| {
        t.needs(Need::Root)
            .needs(v1("cpu"))
            .needs(v1("cpuacct"))
            .needs(v1("pids"))
            .needs(v1("freezer"))
    };
    ktest::main(vec![
        host(Test::new(
            "exit_status_of_the_command_is_returned_and_nothing_is_left",
            exit_status_of_the_command_is_returned_and_nothing_is_left,
        )),
        host(Test::new(
            "limits_are_in_place_before_the_command_runs",
            limits_are_in_place_before_the_command_runs,
        )),
        host(Test::new(
            "the_command_starts_inside_the_cgroup",
            the_command_starts_inside_the_cgroup,
        )),
        host(Test::new(
            "a_command_that_is_not_found_exits_127_and_leaves_nothing",
            a_command_that_is_not_found_exits_127_and_leaves_nothing,
        )),
        host(Test::new(
            "a_command_killed_by_a_signal_exits_128_plus_the_signal",
            a_command_killed_by_a_signal_exits_128_plus_the_signal,
        )),
        host(Test::new(
            "json_summary_reports_usage",
            json_summary_reports_usage,
        )),
        host(Test::new(
            "oci_resources_file_is_applied_and_flags_override_it",
            oci_resources_file_is_applied_and_flags_override_it,
        )),
        host(Test::new(
            "a_bad_oci_resources_file_is_refused_naming_the_file",
            a_bad_oci_resources_file_is_refused_naming_the_file,
        )),
        host(Test::new(
            "sigterm_is_forwarded_and_the_command_decides_the_status",
            sigterm_is_forwarded_and_the_command_decides_the_status,
        )),
        host(Test::new(
            "bad_size_is_refused_before_anything_is_created",
            bad_size_is_refused_before_anything_is_created,
        )),
        host(Test::new(
            "a_limit_for_an_unjoined_controller_is_a_clear_error",
            a_limit_for_an_unjoined_controller_is_a_clear_error,
        )),
        host(Test::new(
            "kept_cgroup_can_be_inspected_frozen_thawed_and_destroyed",
            kept_cgroup_can_be_inspected_frozen_thawed_and_destroyed,
        )),
        Test::new(
            "default_run_joins_every_hierarchy_including_memory",
            default_run_joins_every_hierarchy_including_memory,
        )
        .needs(Need::Root)
        .needs(v1("memory"))
        .needs(Need::V1MemoryAttach),
        Test::new("info_describes_the_layout", info_describes_the_layout),
        Test::new(
            "a_mistyped_flag_is_a_cgctl_failure",
            a_mistyped_flag_is_a_cgctl_failure,
        ),
        host(Test::new(
            "an_existing_cgroup_is_never_taken_over",
            an_existing_cgroup_is_never_taken_over,
        )),
        host(Test::new(
            "a_closed_stdout_pipe_does_not_change_the_exit_status",
            a_closed_stdout_pipe_does_not_change_the_exit_status,
        )),
        host(Test::new(
            "parent_levels_created_by_a_failed_run_are_removed",
            parent_levels_created_by_a_failed_run_are_removed,
        )),
        Test::new(
            "user_is_resolved_inside_the_rootfs",
            user_is_resolved_inside_the_rootfs,
        ),
    ])
}
