//! Summaries read on the real kernel of the machine, in test cgroups that the tests
//! create and remove (ktest). No process is ever put into a v1 memory cgroup: the
//! memory test reads a cgroup it created and left empty.

// Tests check file existence and write their own test cgroup's files with std::fs.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cgroup_stats::{PressureResource, V1Dirs, read_pressure, read_v1_summary, read_v2_summary};
use cgroups_core::CgroupDir;
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

/// Opens the test cgroup through `cgroups-core`, from its hierarchy's mount point.
fn open(cg: &TestCgroup) -> Result<CgroupDir, Failed> {
    let mount = cg.path().parent().ok_or("test cgroup has no parent")?;
    let dir = CgroupDir::open_root(mount)?.open_child(cg.name())?;
    Ok(dir)
}

/// Starts a shell that waits for a line on stdin, then burns CPU for a moment and
/// exits; it is moved into `cg` (and adopted, so it is killed on failure) first.
fn spawn_busy_child(cg: &TestCgroup) -> Result<Child, Failed> {
    let script = "read go; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done";
    let child = Command::new("sh")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn sh: {e}"))?;
    cg.adopt_child(child.id())?;
    cg.attach(child.id())?;
    Ok(child)
}

/// Lets the child run (it is in the cgroup now) and waits at most 60 s for it.
fn run_to_end(mut child: Child) -> Result<(), Failed> {
    let mut stdin = child.stdin.take().ok_or("child has no stdin")?;
    stdin
        .write_all(b"go\n")
        .map_err(|e| format!("write to child: {e}"))?;
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            ensure!(status.success(), "busy child failed: {status}");
            return Ok(());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("busy child did not finish in 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn v1_cpuacct_summary_counts_a_busy_child() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("cpuacct", "stats-cpu")?;
    let dirs = V1Dirs::new().with_cpuacct(open(&cg)?);

    let before = read_v1_summary(&dirs)?.cpu.ok_or("no cpu part")?;
    ensure_eq!(before.total_ns, 0, "a new cgroup has used no CPU");
    run_to_end(spawn_busy_child(&cg)?)?;

    let after = read_v1_summary(&dirs)?;
    let cpu = after.cpu.ok_or("no cpu part")?;
    ensure!(
        cpu.total_ns > 0,
        "cpuacct.usage is 0 after a busy child: {cpu:?}"
    );
    ensure!(
        cpu.user_ns + cpu.system_ns > 0,
        "cpuacct.stat is 0: {cpu:?}"
    );
    ensure!(after.memory.is_none() && after.pids.is_none(), "{after:?}");
    cg.remove()
}

fn v1_memory_summary_reads_an_empty_cgroup() -> Result<(), Failed> {
    // Created and read only: nothing is ever attached to a v1 memory cgroup here.
    let cg = TestCgroup::new_v1("memory", "stats-mem")?;
    let dirs = V1Dirs::new().with_memory(open(&cg)?);

    let memory = read_v1_summary(&dirs)?.memory.ok_or("no memory part")?;
    ensure_eq!(memory.current_bytes, 0, "{memory:?}");
    ensure_eq!(memory.peak_bytes, Some(0), "{memory:?}");
    ensure_eq!(memory.oom_events, None);
    let oom_control = std::fs::read_to_string(cg.path().join("memory.oom_control"))?;
    match oom_control.lines().any(|l| l.starts_with("oom_kill ")) {
        true => ensure_eq!(memory.oom_kills, Some(0), "{memory:?}"),
        false => ensure_eq!(memory.oom_kills, None, "{memory:?}"),
    }
    cg.remove()
}

fn v1_pids_summary_counts_a_sleeping_child() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("pids", "stats-pids")?;
    cg.spawn_child()?;
    let dirs = V1Dirs::new().with_pids(open(&cg)?);

    let pids = read_v1_summary(&dirs)?.pids.ok_or("no pids part")?;
    ensure_eq!(pids.current, 1, "{pids:?}");
    match cg.path().join("pids.peak").exists() {
        true => ensure!(pids.peak.is_some_and(|p| p >= 1), "{pids:?}"),
        false => ensure_eq!(pids.peak, None, "{pids:?}"),
    }
    cg.remove()
}

fn unified_summary_of_a_new_cgroup_reads_cpu_stat() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("stats-v2")?;
    let summary = read_v2_summary(&open(&cg)?)?;

    let cpu = summary.cpu.ok_or("no cpu part")?;
    ensure_eq!(cpu.total_ns, 0, "a new cgroup has used no CPU");
    let has = |file: &str| cg.path().join(file).exists();
    ensure_eq!(
        summary.memory.is_some(),
        has("memory.current"),
        "{summary:?}"
    );
    ensure_eq!(summary.pids.is_some(), has("pids.current"), "{summary:?}");
    cg.remove()
}

fn unified_summary_counts_a_busy_child() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("stats-v2-busy")?;
    let dir = open(&cg)?;
    run_to_end(spawn_busy_child(&cg)?)?;

    let cpu = read_v2_summary(&dir)?.cpu.ok_or("no cpu part")?;
    ensure!(
        cpu.total_ns > 0,
        "usage_usec is 0 after a busy child: {cpu:?}"
    );
    ensure!(cpu.total_ns % 1000 == 0, "usage_usec is in µs: {cpu:?}");
    cg.remove()
}

fn unified_pressure_file_parses() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("stats-psi")?;
    let p = read_pressure(&open(&cg)?, PressureResource::Cpu)?;
    let p = p.ok_or("cpu.pressure exists but read as no data")?;
    ensure!(p.some.is_some(), "cpu.pressure has no some line: {p:?}");
    cg.remove()
}

fn unified_pressure_hidden_by_cgroup_pressure_is_no_data() -> Result<(), Failed> {
    // C10 (c): writing 0 to the cgroup's own cgroup.pressure hides its PSI files.
    let cg = TestCgroup::new_unified("stats-psi-off")?;
    std::fs::write(cg.path().join("cgroup.pressure"), "0")?;
    ensure!(
        !cg.path().join("cpu.pressure").exists(),
        "cpu.pressure still shown"
    );
    ensure_eq!(read_pressure(&open(&cg)?, PressureResource::Cpu)?, None);
    cg.remove()
}

fn main() {
    ktest::main(vec![
        Test::new(
            "v1_cpuacct_summary_counts_a_busy_child",
            v1_cpuacct_summary_counts_a_busy_child,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("cpuacct")),
        Test::new(
            "v1_memory_summary_reads_an_empty_cgroup",
            v1_memory_summary_reads_an_empty_cgroup,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("memory")),
        Test::new(
            "v1_pids_summary_counts_a_sleeping_child",
            v1_pids_summary_counts_a_sleeping_child,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("pids")),
        Test::new(
            "unified_summary_of_a_new_cgroup_reads_cpu_stat",
            unified_summary_of_a_new_cgroup_reads_cpu_stat,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cpu.stat")),
        Test::new(
            "unified_summary_counts_a_busy_child",
            unified_summary_counts_a_busy_child,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cpu.stat")),
        Test::new("unified_pressure_file_parses", unified_pressure_file_parses)
            .needs(Need::Root)
            .needs(Need::UnifiedFile("cpu.pressure")),
        Test::new(
            "unified_pressure_hidden_by_cgroup_pressure_is_no_data",
            unified_pressure_hidden_by_cgroup_pressure_is_no_data,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cgroup.pressure")),
    ])
}
