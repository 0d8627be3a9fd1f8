use super::*;
use crate::ErrorKind;
use crate::test_tree::fake_cgroup;

#[test]
fn every_v1_controller_fills_its_part() {
    let cpuacct = fake_cgroup(&[
        ("cpuacct.usage", "12262454190222160\n"),
        ("cpuacct.stat", "user 452278264\nsystem 291429664\n"),
    ]);
    let memory = fake_cgroup(&[
        ("memory.usage_in_bytes", "4096\n"),
        ("memory.max_usage_in_bytes", "8192\n"),
        (
            "memory.oom_control",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n",
        ),
    ]);
    let pids = fake_cgroup(&[("pids.current", "2\n"), ("pids.peak", "9\n")]);
    let dirs = V1Dirs::new()
        .with_cpuacct(cpuacct.dir.try_clone().unwrap())
        .with_memory(memory.dir.try_clone().unwrap())
        .with_pids(pids.dir.try_clone().unwrap());
    let summary = read_v1_summary(&dirs).unwrap();
    let cpu = CpuUsage {
        total_ns: 12_262_454_190_222_160,
        user_ns: 4_522_782_640_000_000,
        system_ns: 2_914_296_640_000_000,
    };
    let mem = MemoryUsage {
        current_bytes: 4096,
        peak_bytes: Some(8192),
        oom_events: None,
        oom_kills: Some(3),
    };
    assert_eq!(summary.cpu, Some(cpu));
    assert_eq!(summary.memory, Some(mem));
    assert_eq!(
        summary.pids,
        Some(PidsUsage {
            current: 2,
            peak: Some(9)
        })
    );
}

#[test]
fn controllers_not_given_are_absent() {
    let summary = read_v1_summary(&V1Dirs::default()).unwrap();
    assert_eq!(summary, UsageSummary::default());
}

#[test]
fn old_kernel_without_oom_kill_and_pids_peak_reports_them_absent() {
    let memory = fake_cgroup(&[
        ("memory.usage_in_bytes", "0\n"),
        ("memory.max_usage_in_bytes", "0\n"),
        ("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n"),
    ]);
    let pids = fake_cgroup(&[("pids.current", "0\n")]);
    let dirs = V1Dirs::new()
        .with_memory(memory.dir.try_clone().unwrap())
        .with_pids(pids.dir.try_clone().unwrap());
    let summary = read_v1_summary(&dirs).unwrap();
    assert_eq!(summary.memory.unwrap().oom_kills, None);
    assert_eq!(summary.pids.unwrap().peak, None);
    assert_eq!(summary.cpu, None);
}

#[test]
fn kmem_files_are_not_needed() {
    // C15: newer kernels dropped memory.kmem.limit_in_bytes; the summary reads no kmem file.
    let memory = fake_cgroup(&[
        ("memory.usage_in_bytes", "1234\n"),
        ("memory.max_usage_in_bytes", "2345\n"),
        ("memory.kmem.usage_in_bytes", "1234\n"),
    ]);
    let dirs = V1Dirs::new().with_memory(memory.dir.try_clone().unwrap());
    let mem = read_v1_summary(&dirs).unwrap().memory.unwrap();
    assert_eq!(
        (mem.current_bytes, mem.peak_bytes, mem.oom_kills),
        (1234, Some(2345), None)
    );
}

#[test]
fn directory_of_another_hierarchy_is_not_found() {
    // A cpu-only directory passed as cpuacct: cpuacct.usage is missing.
    let cpu = fake_cgroup(&[("cpu.shares", "1024\n")]);
    let dirs = V1Dirs::new().with_cpuacct(cpu.dir.try_clone().unwrap());
    let err = read_v1_summary(&dirs).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.file().unwrap().ends_with("cpuacct.usage"), "{err}");
}

#[test]
fn malformed_cpuacct_stat_names_file_and_line() {
    let cpuacct = fake_cgroup(&[
        ("cpuacct.usage", "10\n"),
        ("cpuacct.stat", "user 1\nsystem one\n"),
    ]);
    let dirs = V1Dirs::new().with_cpuacct(cpuacct.dir.try_clone().unwrap());
    let err = read_v1_summary(&dirs).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.file().unwrap().ends_with("job/cpuacct.stat"), "{err}");
    assert_eq!(err.line(), Some(2));
}

#[test]
fn malformed_oom_control_is_an_error_not_absent() {
    let memory = fake_cgroup(&[
        ("memory.usage_in_bytes", "0\n"),
        ("memory.max_usage_in_bytes", "0\n"),
        (
            "memory.oom_control",
            "oom_kill_disable 0\ngarbage\noom_kill 1\n",
        ),
    ]);
    let dirs = V1Dirs::new().with_memory(memory.dir.try_clone().unwrap());
    let err = read_v1_summary(&dirs).unwrap_err();
    assert!(err.file().unwrap().ends_with("memory.oom_control"), "{err}");
    assert_eq!(err.line(), Some(2));
}
