use super::*;
use crate::ErrorKind;
use crate::test_tree::fake_cgroup;

const CPU_STAT: &str = "usage_usec 1000000\nuser_usec 600000\nsystem_usec 400000\n\
                        nr_periods 0\nnr_throttled 0\nthrottled_usec 0\n";

#[test]
fn full_v2_cgroup_gives_every_part_of_the_summary() {
    let cg = fake_cgroup(&[
        ("cpu.stat", CPU_STAT),
        ("memory.current", "123456789\n"),
        ("memory.peak", "987654321\n"),
        (
            "memory.events",
            "low 0\nhigh 3\nmax 5\noom 2\noom_kill 1\noom_group_kill 0\n",
        ),
        ("pids.current", "4\n"),
        ("pids.peak", "17\n"),
    ]);
    let summary = read_v2_summary(&cg.dir).unwrap();
    let cpu = CpuUsage {
        total_ns: 1_000_000_000,
        user_ns: 600_000_000,
        system_ns: 400_000_000,
    };
    let memory = MemoryUsage {
        current_bytes: 123_456_789,
        peak_bytes: Some(987_654_321),
        oom_events: Some(2),
        oom_kills: Some(1),
    };
    let pids = PidsUsage {
        current: 4,
        peak: Some(17),
    };
    assert_eq!(summary.cpu, Some(cpu));
    assert_eq!(summary.memory, Some(memory));
    assert_eq!(summary.pids, Some(pids));
}

#[test]
fn cgroup_without_memory_and_pids_controllers_has_cpu_only() {
    // The unified hierarchy of a hybrid host: cpu.stat with its three core keys. No
    // pids part is made up from cgroup.procs (C21's fallback is deliberately not taken).
    let cg = fake_cgroup(&[(
        "cpu.stat",
        "usage_usec 184713\nuser_usec 120465\nsystem_usec 64248\n",
    )]);
    let summary = read_v2_summary(&cg.dir).unwrap();
    assert_eq!(summary.cpu.map(|c| c.total_ns), Some(184_713_000));
    assert_eq!((summary.memory, summary.pids), (None, None));
}

#[test]
fn memory_peak_and_pids_peak_are_absent_on_older_kernels() {
    let cg = fake_cgroup(&[
        ("cpu.stat", CPU_STAT),
        ("memory.current", "4096\n"),
        ("memory.events", "low 0\nhigh 0\nmax 0\noom 0\n"),
        ("pids.current", "1\n"),
    ]);
    let summary = read_v2_summary(&cg.dir).unwrap();
    let memory = summary.memory.unwrap();
    assert_eq!(memory.current_bytes, 4096);
    assert_eq!(memory.peak_bytes, None);
    assert_eq!((memory.oom_events, memory.oom_kills), (Some(0), None));
    assert_eq!(summary.pids.unwrap().peak, None);
}

#[test]
fn missing_memory_events_leaves_oom_counts_absent() {
    let cg = fake_cgroup(&[("cpu.stat", CPU_STAT), ("memory.current", "0\n")]);
    let memory = read_v2_summary(&cg.dir).unwrap().memory.unwrap();
    assert_eq!((memory.oom_events, memory.oom_kills), (None, None));
}

#[test]
fn missing_cpu_stat_is_not_found_naming_the_file() {
    let cg = fake_cgroup(&[("memory.current", "0\n")]);
    let err = read_v2_summary(&cg.dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.file().unwrap().ends_with("job/cpu.stat"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn malformed_cpu_stat_names_file_and_line() {
    let cg = fake_cgroup(&[("cpu.stat", "usage_usec 10\nuser_usec ten\nsystem_usec 1\n")]);
    let err = read_v2_summary(&cg.dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.file().unwrap().ends_with("job/cpu.stat"), "{err:?}");
    assert_eq!(err.line(), Some(2));
    assert_eq!(err.value(), Some("user_usec ten"));
    let msg = err.to_string();
    assert!(msg.contains("cpu.stat, line 2 \"user_usec ten\""), "{msg}");
}

#[test]
fn cpu_stat_without_usage_key_is_an_error_not_zero() {
    let cg = fake_cgroup(&[("cpu.stat", "user_usec 1\nsystem_usec 1\n")]);
    let err = read_v2_summary(&cg.dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.to_string().contains("usage_usec"), "{err}");
}

#[test]
fn malformed_optional_file_is_still_an_error() {
    let cg = fake_cgroup(&[
        ("cpu.stat", CPU_STAT),
        ("memory.current", "1\n"),
        ("memory.peak", ""),
    ]);
    let err = read_v2_summary(&cg.dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.file().unwrap().ends_with("memory.peak"), "{err}");
}

#[test]
fn negative_memory_current_saturates_to_zero() {
    let cg = fake_cgroup(&[("cpu.stat", CPU_STAT), ("memory.current", "-4096\n")]);
    let memory = read_v2_summary(&cg.dir).unwrap().memory.unwrap();
    assert_eq!(memory.current_bytes, 0);
}

#[test]
fn pressure_file_absent_is_no_data() {
    // C10 (c)
    let cg = fake_cgroup(&[("cpu.stat", CPU_STAT)]);
    assert_eq!(
        crate::read_pressure(&cg.dir, crate::PressureResource::Cpu).unwrap(),
        None
    );
}

#[test]
fn pressure_file_present_is_parsed_and_errors_name_it() {
    let some = "some avg10=0.00 avg60=0.00 avg300=0.00 total=98464\n";
    let cg = fake_cgroup(&[("memory.pressure", some), ("io.pressure", "some avg10=x\n")]);
    let memory = crate::read_pressure(&cg.dir, crate::PressureResource::Memory).unwrap();
    assert_eq!(memory.and_then(|p| p.some).map(|s| s.total_us), Some(98464));
    let err = crate::read_pressure(&cg.dir, crate::PressureResource::Io).unwrap_err();
    assert!(err.file().unwrap().ends_with("io.pressure"), "{err}");
    assert_eq!(err.line(), Some(1));
}

#[cfg(feature = "serde")]
#[test]
fn summary_serializes_with_snake_case_names_and_null_for_absent() {
    let cg = fake_cgroup(&[("cpu.stat", CPU_STAT), ("memory.current", "4096\n")]);
    let json = serde_json::to_value(read_v2_summary(&cg.dir).unwrap()).unwrap();
    let expected = serde_json::json!({
        "cpu": {
            "total_ns": 1_000_000_000u64,
            "user_ns": 600_000_000u64,
            "system_ns": 400_000_000u64,
        },
        "memory": {
            "current_bytes": 4096,
            "peak_bytes": null,
            "oom_events": null,
            "oom_kills": null,
        },
        "pids": null,
    });
    assert_eq!(json, expected);
}
