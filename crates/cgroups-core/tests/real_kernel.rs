//! cgroups-core on the real kernel of this machine: `CgroupDir` on v1 and cgroup2,
//! layout detection, and `spawn_in`.
//!
//! Every test works in its own `cgtest-<pid>-...` cgroup (ktest's `TestCgroup`,
//! removed on drop), puts only its own children there, and never attaches a process
//! to a v1 memory cgroup.
// A harness binary reports on stdout.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::{Child, Command, Stdio};

use cgroups_core::{CgroupDir, CgroupMode, ErrorKind, Hierarchies, Limit, ProcCgroup};
use common::{DirManager, open};
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

mod common;
#[path = "real_kernel/hostile.rs"]
mod hostile;

fn main() {
    ktest::main(vec![
        Test::new(
            "v1_walks_list_and_remove_a_child_whose_name_is_not_utf8",
            hostile::raw_names_v1,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "unified_walks_list_and_remove_a_child_whose_name_is_not_utf8",
            hostile::raw_names_unified,
        )
        .needs(Need::Root)
        .needs(Need::Unified),
        Test::new(
            "a_level_refused_by_max_depth_removes_the_levels_made_before",
            hostile::refused_deeper_level_is_cleaned_up,
        )
        .needs(Need::Root)
        .needs(Need::Unified),
        Test::new(
            "add_pid_of_a_missing_process_is_not_found_naming_the_pid",
            hostile::add_pid_of_a_missing_process_is_not_found,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("pids")),
        Test::new("v1_cpu_dir_creates_writes_reads_and_removes", v1_cpu_dir)
            .needs(Need::Root)
            .needs(Need::V1Controller("cpu")),
        Test::new(
            "v1_cpu_dir_works_with_the_openat2_fallback",
            v1_cpu_dir_fallback,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "unified_dir_works_with_the_openat2_fallback",
            unified_dir_fallback,
        )
        .needs(Need::Root)
        .needs(Need::Unified),
        Test::new("kernel_refusal_names_file_value_and_errno", kernel_refusal)
            .needs(Need::Root)
            .needs(Need::V1Controller("cpu")),
        Test::new("v1_pids_add_pid_moves_a_child_and_pids_list_it", v1_add_pid)
            .needs(Need::Root)
            .needs(Need::V1Controller("pids")),
        Test::new(
            "populated_cgroup_removal_fails_busy_after_retries",
            busy_removal,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("pids")),
        Test::new("unified_dir_creates_reads_procs_and_removes", unified_dir)
            .needs(Need::Root)
            .needs(Need::Unified),
        Test::new("detect_reports_the_hybrid_layout_of_the_host", detect_host)
            .needs(Need::Tier("host"))
            .needs(Need::V1Controller("cpu"))
            .needs(Need::Unified),
        Test::new("own_path_of_this_process_exists", own_path_exists)
            .needs(Need::V1Controller("pids")),
        Test::new("spawn_in_joins_before_the_command_runs", spawn_in_joins)
            .needs(Need::Root)
            .needs(Need::V1Controller("pids")),
    ])
}

/// A `sleep 30` child that is killed and reaped when dropped.
struct Sleeper(Child);

impl Sleeper {
    fn start() -> Result<Sleeper, Failed> {
        let child = Command::new("sleep")
            .arg("30")
            .stdin(Stdio::null())
            .spawn()?;
        Ok(Sleeper(child))
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn v1_cpu_dir() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("cpu", "coredir")?;
    let (root, dir) = open(&cg)?;
    ensure!(
        !root.is_cgroup2(),
        "{} claims cgroup2",
        root.path().display()
    );

    let (leaf, created) = dir.create_child_all("a/b")?;
    ensure_eq!(created, ["a".to_owned(), "a/b".to_owned()]);
    ensure!(cg.path().join("a/b").is_dir());

    leaf.write("cpu.shares", "512")?;
    ensure_eq!(leaf.read_u64("cpu.shares")?, 512);
    ensure_eq!(leaf.read_limit("cpu.cfs_quota_us")?, Limit::Max);
    ensure_eq!(leaf.pids()?, Vec::<u32>::new());
    ensure_eq!(dir.children()?, ["a".to_owned()]);

    dir.remove_tree("a")?;
    ensure!(!cg.path().join("a").exists(), "a/ still exists");
    dir.remove_tree("a")?; // already gone: success (C23 case 2)
    Ok(())
}

/// Runs `test` with roots opened through pathsafe's fallback resolver.
fn with_fallback(test: fn() -> Result<(), Failed>) -> Result<(), Failed> {
    let before = cgroups_core::testing::force_openat2_fallback(true);
    let result = test();
    cgroups_core::testing::force_openat2_fallback(before);
    result
}

fn v1_cpu_dir_fallback() -> Result<(), Failed> {
    with_fallback(v1_cpu_dir)
}

fn unified_dir_fallback() -> Result<(), Failed> {
    with_fallback(unified_dir)
}

fn kernel_refusal() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("cpu", "refusal")?;
    let (_, dir) = open(&cg)?;
    let err = dir
        .write("cpu.shares", "lots")
        .expect_err("kernel took \"lots\"");
    ensure_eq!(err.kind(), ErrorKind::KernelRefused);
    ensure_eq!(err.errno(), Some(rustix::io::Errno::INVAL.raw_os_error()));
    ensure_eq!(err.value(), Some("lots"));
    ensure!(
        err.path().is_some_and(|p| p.ends_with("cpu.shares")),
        "{err}"
    );
    let missing = dir.read("no.such.file").expect_err("read a missing file");
    ensure_eq!(missing.kind(), ErrorKind::NotFound);
    Ok(())
}

fn v1_add_pid() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("pids", "addpid")?;
    let (_, dir) = open(&cg)?;
    let sleeper = Sleeper::start()?;
    cg.adopt_child(sleeper.pid())?;

    let (sub, _) = dir.create_child_all("sub")?;
    sub.add_pid(sleeper.pid())?;
    ensure_eq!(sub.pids()?, [sleeper.pid()]);
    ensure!(
        sub.threads()?.contains(&sleeper.pid()),
        "tasks lacks the main thread"
    );
    ensure_eq!(dir.pids()?, Vec::<u32>::new());
    ensure_eq!(dir.all_pids()?, [sleeper.pid()]);

    drop(sleeper);
    dir.remove_tree("sub")?;
    ensure!(!cg.path().join("sub").exists());
    Ok(())
}

fn busy_removal() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("pids", "busy")?;
    let (_, dir) = open(&cg)?;
    let sleeper = Sleeper::start()?;
    cg.adopt_child(sleeper.pid())?;
    let (sub, _) = dir.create_child_all("sub")?;
    sub.add_pid(sleeper.pid())?;

    let started = std::time::Instant::now();
    let err = dir
        .remove_tree("sub")
        .expect_err("removed a populated cgroup");
    ensure_eq!(err.kind(), ErrorKind::Busy, "{err}");
    ensure!(
        started.elapsed().as_millis() >= 1000,
        "gave up before the ~1 s budget"
    );

    drop(sleeper);
    // The kernel frees the cgroup asynchronously after the last task exits: the
    // EBUSY retries absorb that (C23 case 1).
    dir.remove_tree("sub")?;
    Ok(())
}

fn unified_dir() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("coreuni")?;
    let (root, dir) = open(&cg)?;
    ensure!(root.is_cgroup2() && dir.is_cgroup2());
    ensure_eq!(dir.pids()?, Vec::<u32>::new());
    ensure_eq!(dir.all_pids()?, Vec::<u32>::new());

    let (child, created) = dir.create_child_all("x")?;
    ensure_eq!(created, ["x".to_owned()]);
    ensure!(child.read("cgroup.controllers").is_ok());
    ensure!(child.exists("cgroup.procs"));
    let err = dir.open_child("../escape").expect_err("opened ../escape");
    ensure_eq!(err.kind(), ErrorKind::InvalidPath);

    dir.remove_tree("x")?;
    ensure!(!cg.path().join("x").exists());
    Ok(())
}

fn detect_host() -> Result<(), Failed> {
    let found = Hierarchies::detect()?;
    ensure_eq!(found.mode(), CgroupMode::Hybrid);
    ensure_eq!(
        found.unified_mount(),
        Some(Path::new("/sys/fs/cgroup/unified"))
    );
    let cpu = found.v1("cpu").ok_or("no v1 cpu hierarchy")?;
    ensure_eq!(cpu.mount_point, Path::new("/sys/fs/cgroup/cpu"));
    ensure!(
        found.v1("systemd").is_some(),
        "name=systemd hierarchy not found"
    );
    ensure!(
        std::ptr::eq(found, Hierarchies::detect()?),
        "detect() is not cached"
    );
    Ok(())
}

fn own_path_exists() -> Result<(), Failed> {
    let found = Hierarchies::detect()?;
    let me = ProcCgroup::of_process(None)?;
    let own = found.own_path("pids", &me)?;
    ensure!(own.is_dir(), "{} is not a directory", own.display());
    let listed = CgroupDir::open_root(&own)?.pids()?;
    ensure!(
        listed.contains(&std::process::id()),
        "own cgroup.procs lacks this process"
    );
    Ok(())
}

fn spawn_in_joins() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("pids", "spawn")?;
    let manager = DirManager::v1_pids(&cg)?;
    let mut command = Command::new("sh");
    command
        .args(["-c", "cat /proc/self/cgroup"])
        .stdout(Stdio::piped());
    let child = cgroups_core::spawn::spawn_in(&manager, &mut command)?;
    cg.adopt_child(child.id())?;
    let output = child.wait_with_output()?;
    ensure!(output.status.success(), "{:?}", output.status);

    // `cat` is a child of the shell: it sees the cgroup the shell joined before exec.
    let seen = ProcCgroup::parse(&String::from_utf8_lossy(&output.stdout))?;
    let want = format!("/{}", cg.name());
    ensure_eq!(seen.v1_path("pids"), Some(want.as_str()));
    Ok(())
}
