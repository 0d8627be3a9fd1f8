//! The parsers on captured kernel files (tests/fixtures, from the shared corpus):
//! every file parses, and the notable values listed with the corpus come out exactly.

use cgroup_stats::parse::{
    CpuTimes, Pressure, PressureData, counter, cpuacct_stat, flat_keyed, limit, pressure,
};
use cgroups_core::Limit;

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!("fixtures/", $path)).as_slice()
    };
}

const FLAT_KEYED: &[(&str, &[u8])] = &[
    (
        "v2 cpu.stat 3 keys",
        fixture!("v2-cpu.stat/elastic__ubuntu1804-hybrid-unified-3keys.cpu.stat"),
    ),
    (
        "v2 cpu.stat 6 keys",
        fixture!("v2-cpu.stat/elastic__v2-kernel5.9-5.12-6keys.cpu.stat"),
    ),
    (
        "v2 cpu.stat 9 keys",
        fixture!("v2-cpu.stat/elastic__v2-kernel6x-bursts-coresched.cpu.stat"),
    ),
    (
        "v2 cpu.stat.local",
        fixture!("v2-cpu.stat/elastic__v2-kernel6x.cpu.stat.local"),
    ),
    (
        "v2 memory.events 6",
        fixture!("v2-memory.events/elastic__v2-kernel6x-with-oom_group_kill.memory.events"),
    ),
    (
        "v2 memory.swap.events",
        fixture!("v2-memory.events/elastic__v2-kernel6x.memory.swap.events"),
    ),
    (
        "v2 memory.events 5",
        fixture!("v2-memory.events/elastic__v2-system.slice-5keys.memory.events"),
    ),
    (
        "v2 memory.stat 6.x",
        fixture!("v2-memory.stat/elastic__v2-kernel6x-session.memory.stat"),
    ),
    (
        "v2 memory.stat 5.9",
        fixture!("v2-memory.stat/elastic__v2-system.slice-kernel5.9-5.12.memory.stat"),
    ),
    (
        "v1 memory.stat parent",
        fixture!("v1-memory.stat/cgroupsrs__parent-with-totals.memory.stat"),
    ),
    (
        "v1 memory.stat eks",
        fixture!("v1-memory.stat/elastic__amzn2-eks-container.memory.stat"),
    ),
    (
        "v1 memory.stat 2016",
        fixture!("v1-memory.stat/elastic__docker-2016-old-kernel.memory.stat"),
    ),
    (
        "v1 memory.stat noswap",
        fixture!("v1-memory.stat/elastic__ubuntu1804-no-swap-accounting.memory.stat"),
    ),
    (
        "v1 cpu.stat idle",
        fixture!("v1-cpu.stat/elastic__amzn2-unthrottled.cpu.stat"),
    ),
    (
        "v1 cpu.stat throttled",
        fixture!("v1-cpu.stat/elastic__docker-2016-throttled.cpu.stat"),
    ),
    (
        "v1 cpuacct.stat",
        fixture!("v1-cpuacct.stat/elastic__amzn2.cpuacct.stat"),
    ),
    (
        "v1 oom_control",
        fixture!("v1-memory.oom_control/elastic__amzn2-with-oom_kill.memory.oom_control"),
    ),
    (
        "v1 oom_control old",
        fixture!("v1-memory.oom_control/elastic__docker-2016-no-oom_kill.memory.oom_control"),
    ),
    (
        "v1 pids.events",
        fixture!("v1-pids/elastic__amzn2.pids.events"),
    ),
];

const PRESSURE: &[(&str, &[u8])] = &[
    (
        "cpu some only",
        fixture!("v2-pressure/elastic__v2-kernel5.9-5.12-some-only.cpu.pressure"),
    ),
    (
        "irq full only",
        fixture!("v2-pressure/elastic__v2-kernel6x-full-only.irq.pressure"),
    ),
    (
        "cpu some+full",
        fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
    ),
    ("proc cpu", fixture!("proc-pressure/nodeexporter__cpu")),
    ("proc io", fixture!("proc-pressure/nodeexporter__io")),
    (
        "proc irq no newline",
        fixture!("proc-pressure/nodeexporter__irq"),
    ),
];

fn one(text: &[u8], key: &str) -> Option<u64> {
    let [value] = flat_keyed(text, [key]).unwrap_or_else(|e| panic!("{key}: {e}"));
    value
}

#[test]
fn every_value_of_every_flat_keyed_fixture_parses() {
    for (name, text) in FLAT_KEYED {
        let text = std::str::from_utf8(text).unwrap();
        let mut lines = 0;
        for line in text.lines().filter(|l| !l.is_empty()) {
            let key = line.split(' ').next().unwrap();
            assert!(one(text.as_bytes(), key).is_some(), "{name}: {key}");
            lines += 1;
        }
        assert!(lines > 0, "{name} is empty");
    }
}

#[test]
fn v2_cpu_stat_fixtures_give_the_listed_usage() {
    let text = fixture!("v2-cpu.stat/elastic__v2-kernel6x-bursts-coresched.cpu.stat");
    let keys = [
        "usage_usec",
        "user_usec",
        "system_usec",
        "core_sched.force_idle_usec",
    ];
    let values = flat_keyed(text, keys).unwrap();
    assert_eq!(
        values,
        [Some(3611347518), Some(2915072455), Some(696275063), Some(0)]
    );
    let text = fixture!("v2-cpu.stat/elastic__v2-kernel5.9-5.12-6keys.cpu.stat");
    assert_eq!(
        flat_keyed(text, ["usage_usec", "nr_bursts"]).unwrap(),
        [Some(738173847375), None]
    );
}

#[test]
fn v2_memory_stat_fixtures_give_the_listed_values() {
    let text = fixture!("v2-memory.stat/elastic__v2-kernel6x-session.memory.stat");
    let values = flat_keyed(text, ["anon", "file", "inactive_file"]).unwrap();
    assert_eq!(
        values,
        [Some(1411100672), Some(8621432832), Some(6685749248)]
    );
    let text = fixture!("v2-memory.stat/elastic__v2-system.slice-kernel5.9-5.12.memory.stat");
    let values = flat_keyed(text, ["anon", "file", "inactive_file", "kernel"]).unwrap();
    assert_eq!(
        values,
        [Some(3531862016), Some(7489388544), Some(6605029376), None]
    );
}

#[test]
fn v1_memory_stat_fixtures_give_the_listed_values() {
    let eks = fixture!("v1-memory.stat/elastic__amzn2-eks-container.memory.stat");
    let keys = [
        "hierarchical_memory_limit",
        "total_inactive_file",
        "cache",
        "rss",
    ];
    let values = flat_keyed(eks, keys).unwrap();
    assert_eq!(
        values,
        [
            Some(2147483648),
            Some(78557184),
            Some(78397440),
            Some(1119465472)
        ]
    );

    let old = fixture!("v1-memory.stat/elastic__docker-2016-old-kernel.memory.stat");
    assert_eq!(one(old, "total_rss"), Some(230662144));
    assert_eq!(one(old, "shmem"), None);

    let parent = fixture!("v1-memory.stat/cgroupsrs__parent-with-totals.memory.stat");
    assert_eq!(one(parent, "total_cache"), Some(4200333312));
    let unlimited = one(parent, "hierarchical_memory_limit")
        .unwrap()
        .to_string();
    assert_eq!(limit(unlimited.as_bytes()).unwrap(), Limit::Max);

    let noswap = fixture!("v1-memory.stat/elastic__ubuntu1804-no-swap-accounting.memory.stat");
    assert_eq!(
        flat_keyed(noswap, ["swap", "total_swap"]).unwrap(),
        [None, None]
    );
    assert_eq!(
        one(noswap, "hierarchical_memory_limit"),
        Some(9223372036854771712)
    );
}

#[test]
fn v1_cpu_stat_fixture_gives_the_throttling_counters() {
    let text = fixture!("v1-cpu.stat/elastic__docker-2016-throttled.cpu.stat");
    let values = flat_keyed(text, ["nr_periods", "nr_throttled", "throttled_time"]).unwrap();
    assert_eq!(values, [Some(769021), Some(1046), Some(352597023453)]);
}

#[test]
fn v1_cpuacct_stat_fixture_converts_ticks_to_ns() {
    let times = cpuacct_stat(fixture!("v1-cpuacct.stat/elastic__amzn2.cpuacct.stat")).unwrap();
    let expected = CpuTimes::new(10848891 * 10_000_000, 1516502 * 10_000_000);
    assert_eq!(times, expected);
}

#[test]
fn oom_kill_key_is_present_from_4_13_and_absent_before() {
    let new = fixture!("v1-memory.oom_control/elastic__amzn2-with-oom_kill.memory.oom_control");
    assert_eq!(one(new, "oom_kill"), Some(0));
    let old = fixture!("v1-memory.oom_control/elastic__docker-2016-no-oom_kill.memory.oom_control");
    assert_eq!(one(old, "oom_kill"), None);
    let v2 = fixture!("v2-memory.events/elastic__v2-system.slice-5keys.memory.events");
    assert_eq!(
        flat_keyed(v2, ["oom", "oom_kill"]).unwrap(),
        [Some(0), Some(0)]
    );
}

#[test]
fn every_pressure_fixture_parses() {
    for (name, text) in PRESSURE {
        let p = pressure(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(p.some.is_some() || p.full.is_some(), "{name}");
    }
}

#[test]
fn pressure_fixtures_keep_missing_lines_absent() {
    let some_only = fixture!("v2-pressure/elastic__v2-kernel5.9-5.12-some-only.cpu.pressure");
    let p = pressure(some_only).unwrap();
    assert_eq!(p.full, None);
    assert_eq!(
        p.some.map(|s| (s.avg60, s.total_us)),
        Some((0.04, 2798967170))
    );

    let irq = pressure(fixture!("proc-pressure/nodeexporter__irq")).unwrap();
    assert_eq!(irq.some, None);
    assert_eq!(irq.full.map(|f| f.total_us), Some(8494));
}

#[test]
fn proc_io_pressure_gives_the_listed_values() {
    let p = pressure(fixture!("proc-pressure/nodeexporter__io")).unwrap();
    let expected = Pressure::new(
        Some(PressureData::new(0.18, 0.34, 0.10, 159886802)),
        Some(PressureData::new(0.18, 0.34, 0.10, 159229614)),
    );
    assert_eq!(p, expected);
}

#[test]
fn single_value_fixtures_parse() {
    let peak = fixture!("v2-single-value/elastic__v2-kernel6x.memory.peak");
    assert_eq!(counter(peak).unwrap(), 18772946944);
    assert_eq!(
        counter(fixture!("v2-pids/elastic__v2.pids.peak")).unwrap(),
        256
    );
    assert_eq!(
        limit(fixture!("v1-pids/elastic__amzn2-max.pids.max")).unwrap(),
        Limit::Max
    );
    let quota = fixture!("v1-single-value/elastic__amzn2-unlimited.cpu.cfs_quota_us");
    assert_eq!(limit(quota).unwrap(), Limit::Max);
    let soft = fixture!("v1-single-value/elastic__amzn2-unlimited.memory.soft_limit_in_bytes");
    assert_eq!(limit(soft).unwrap(), Limit::Max);
}
