use super::*;
use crate::{HugetlbLimit, RdmaLimit, WeightDevice};

use Version::{V1, V2};

fn refused(r: &Resources, version: Version, field: &str) -> Error {
    let err = validate(r, version).expect_err(field);
    assert_eq!(err.field(), Some(field), "{err}");
    err
}

fn with(f: impl FnOnce(&mut Resources)) -> Resources {
    let mut r = Resources::default();
    f(&mut r);
    r
}

#[test]
fn empty_resources_are_valid_everywhere() {
    validate(&Resources::default(), V1).unwrap();
    validate(&Resources::default(), V2).unwrap();
}

#[test]
fn shares_range_applies_to_v1_only() {
    for shares in [0, 1, 262_145] {
        let r = with(|r| r.cpu.shares = Some(shares));
        let err = refused(&r, V1, "cpu.shares");
        assert_eq!(err.value(), Some(shares.to_string().as_str()));
        if shares != 0 {
            // v2 converts and clamps; 0 is refused there too (see below).
            validate(&r, V2).unwrap();
        }
    }
    for shares in [2, 1024, 262_144] {
        validate(&with(|r| r.cpu.shares = Some(shares)), V1).unwrap();
    }
}

#[test]
fn weight_is_v2_only_and_in_range() {
    let r = with(|r| r.cpu.weight = Some(100));
    refused(&r, V1, "cpu.weight");
    validate(&r, V2).unwrap();
    for weight in [0, 10_001] {
        refused(&with(|r| r.cpu.weight = Some(weight)), V2, "cpu.weight");
    }
}

#[test]
fn period_and_quota_bounds() {
    for period in [0, 999, 1_000_001] {
        refused(
            &with(|r| r.cpu.period_us = Some(period)),
            V2,
            "cpu.period_us",
        );
    }
    validate(&with(|r| r.cpu.period_us = Some(1000)), V1).unwrap();
    refused(
        &with(|r| r.cpu.quota = Some(CpuQuota::Micros(999))),
        V1,
        "cpu.quota",
    );
    validate(&with(|r| r.cpu.quota = Some(CpuQuota::Max)), V2).unwrap();
}

#[test]
fn burst_without_quota_is_fine() {
    validate(&with(|r| r.cpu.burst_us = Some(5000)), V1).unwrap();
    validate(&with(|r| r.cpu.burst_us = Some(5000)), V2).unwrap();
}

#[test]
fn cpuset_lists_follow_c16() {
    for bad in [
        "", "\n", "3-1", "1-", "0-3,*4^2", "1,,2", "-1", "a", "0-2,", "+1",
    ] {
        let r = with(|r| r.cpuset.cpus = Some(bad.to_owned()));
        refused(&r, V1, "cpuset.cpus");
        let r = with(|r| r.cpuset.mems = Some(bad.to_owned()));
        refused(&r, V2, "cpuset.mems");
    }
    for good in ["0-2,7,12-14", "5", "0", "0-0"] {
        validate(&with(|r| r.cpuset.cpus = Some(good.to_owned())), V1).unwrap();
    }
}

#[test]
fn cpuset_list_parses_into_ranges() {
    assert_eq!(
        parse_cpuset_list("0-2,7,12-14\n").unwrap(),
        [0..=2, 7..=7, 12..=14]
    );
    assert_eq!(parse_cpuset_list("5\n").unwrap(), [5..=5]);
    assert!(parse_cpuset_list("").unwrap().is_empty());
    assert!(parse_cpuset_list("\n").unwrap().is_empty());
    assert_eq!(parse_cpuset_list("0-4294967295").unwrap(), [0..=u32::MAX]);
    assert!(parse_cpuset_list("0-4294967296").is_err());
}

#[test]
fn swappiness_is_bounded_on_v1_and_ignored_on_v2() {
    let r = with(|r| r.memory.swappiness = Some(101));
    refused(&r, V1, "memory.swappiness");
    validate(&r, V2).unwrap();
    validate(&with(|r| r.memory.swappiness = Some(100)), V1).unwrap();
}

#[test]
fn v2_memory_knobs_are_refused_on_v1() {
    let high = with(|r| r.memory.high_bytes = Some(Limit::Max));
    refused(&high, V1, "memory.high_bytes");
    validate(&high, V2).unwrap();
    refused(
        &with(|r| r.memory.min_bytes = Some(1)),
        V1,
        "memory.min_bytes",
    );
    refused(
        &with(|r| r.memory.oom_group = Some(true)),
        V1,
        "memory.oom_group",
    );
}

#[test]
fn oom_kill_disable_is_refused_on_v2() {
    let r = with(|r| r.memory.oom_kill_disable = Some(true));
    validate(&r, V1).unwrap();
    refused(&r, V2, "memory.oom_kill_disable");
    validate(&with(|r| r.memory.oom_kill_disable = Some(false)), V2).unwrap();
}

#[test]
fn memory_and_swap_below_limit_is_refused_on_both_versions() {
    let r = with(|r| {
        r.memory.limit_bytes = Some(Limit::Value(400));
        r.memory.memory_and_swap_bytes = Some(Limit::Value(300));
    });
    refused(&r, V1, "memory.memory_and_swap_bytes");
    refused(&r, V2, "memory.memory_and_swap_bytes");
}

#[test]
fn swap_without_memory_limit_is_refused_on_v2() {
    let r = with(|r| r.memory.memory_and_swap_bytes = Some(Limit::Value(300)));
    refused(&r, V2, "memory.memory_and_swap_bytes");
    let unlimited = with(|r| r.memory.memory_and_swap_bytes = Some(Limit::Max));
    validate(&unlimited, V2).unwrap();
}

#[test]
fn blkio_weights_are_bounded() {
    for w in [0, 9, 1001] {
        refused(
            &with(|r| r.block_io.weight = Some(w)),
            V1,
            "block_io.weight",
        );
        refused(
            &with(|r| r.block_io.leaf_weight = Some(w)),
            V1,
            "block_io.leaf_weight",
        );
    }
    let device = WeightDevice {
        device: crate::DeviceNumber { major: 8, minor: 0 },
        weight: Some(5),
        leaf_weight: None,
    };
    let r = with(|r| r.block_io.weight_devices.push(device));
    refused(&r, V2, "block_io.weight_devices.weight");
}

#[test]
fn hugepage_sizes_must_name_real_files() {
    // C12: 2Mi and 2M do not name hugetlb files; ../2MB is a path.
    for (size, kind) in [
        ("2Mi", ErrorKind::InvalidValue),
        ("2M", ErrorKind::InvalidValue),
        ("64kB", ErrorKind::InvalidValue),
        ("MB", ErrorKind::InvalidValue),
        ("02MB", ErrorKind::InvalidValue),
        ("2 MB", ErrorKind::InvalidValue),
        ("../2MB", ErrorKind::InvalidPath),
        ("a/2MB", ErrorKind::InvalidPath),
        ("", ErrorKind::InvalidPath),
    ] {
        let r = with(|r| {
            r.hugetlb.push(HugetlbLimit {
                page_size: size.to_owned(),
                limit: Limit::Max,
            })
        });
        let err = refused(&r, V2, "hugetlb.page_size");
        assert_eq!(err.kind(), kind, "{size:?}");
    }
    for size in ["64KB", "2MB", "32MB", "1GB", "16GB"] {
        let r = with(|r| {
            r.hugetlb.push(HugetlbLimit {
                page_size: size.to_owned(),
                limit: Limit::Value(0),
            })
        });
        validate(&r, V1).unwrap();
    }
}

#[test]
fn unified_keys_must_be_plain_file_names_and_v2_only() {
    let ok = with(|r| {
        r.unified.insert("memory.high".to_owned(), "max".to_owned());
    });
    validate(&ok, V2).unwrap();
    refused(&ok, V1, "unified");
    for key in ["../memory.max", "a/b", "..", ".", "", "x\0y", "/memory.max"] {
        let r = with(|r| {
            r.unified.insert(key.to_owned(), "1".to_owned());
        });
        let err = refused(&r, V2, "unified");
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{key:?}");
    }
}

#[test]
fn rdma_device_names_must_be_plain_tokens() {
    validate(
        &with(|r| {
            r.rdma.insert("mlx4_0".into(), RdmaLimit::default());
        }),
        V2,
    )
    .unwrap();
    for name in ["", "mlx 0", "mlx\n0", "a=b", "../x", &"x".repeat(65)] {
        let r = with(|r| {
            r.rdma.insert(name.to_owned(), RdmaLimit::default());
        });
        refused(&r, V1, "rdma");
    }
}

#[test]
fn net_prio_interface_names_are_checked_on_v1() {
    let r = with(|r| r.network.priorities.push(("eth0\nlo".to_owned(), 5)));
    refused(&r, V1, "network.priorities");
    validate(
        &with(|r| r.network.priorities.push(("eth0".to_owned(), 5))),
        V1,
    )
    .unwrap();
    // On v2 the whole section is ignored (warned), not validated.
    validate(&r, V2).unwrap();
}

#[test]
fn numbers_no_kernel_accepts_are_refused_on_both_versions() {
    for version in [V1, V2] {
        let quota = |q| with(|r| r.cpu.quota = Some(CpuQuota::Micros(q)));
        validate(&quota(CPU_QUOTA_MAX_US), version).unwrap();
        refused(&quota(CPU_QUOTA_MAX_US + 1), version, "cpu.quota");
        refused(&quota(u64::MAX), version, "cpu.quota");
        refused(
            &with(|r| r.cpu.burst_us = Some(u64::MAX)),
            version,
            "cpu.burst_us",
        );
        let pids = |n| with(|r| r.pids_max = Some(Limit::Value(n)));
        validate(&pids(PIDS_MAX), version).unwrap();
        refused(&pids(PIDS_MAX + 1), version, "pids_max");
        refused(&pids(u64::MAX), version, "pids_max");
        validate(&with(|r| r.pids_max = Some(Limit::Max)), version).unwrap();
        for list in ["0-4294967295", "65536", "0,70000-70001"] {
            let cpus = with(|r| r.cpuset.cpus = Some(list.to_owned()));
            refused(&cpus, version, "cpuset.cpus");
            let mems = with(|r| r.cpuset.mems = Some(list.to_owned()));
            refused(&mems, version, "cpuset.mems");
        }
        validate(
            &with(|r| r.cpuset.cpus = Some("0-65535".to_owned())),
            version,
        )
        .unwrap();
    }
}

#[test]
fn a_burst_above_the_quota_of_the_same_request_is_refused() {
    let r = with(|r| {
        r.cpu.quota = Some(CpuQuota::Micros(50_000));
        r.cpu.burst_us = Some(50_001);
    });
    let err = refused(&r, V2, "cpu.burst_us");
    assert!(err.to_string().contains("50000"), "{err}");
    let fine = with(|r| {
        r.cpu.quota = Some(CpuQuota::Micros(50_000));
        r.cpu.burst_us = Some(50_000);
    });
    validate(&fine, V1).unwrap();
    let unlimited = with(|r| {
        r.cpu.quota = Some(CpuQuota::Max);
        r.cpu.burst_us = Some(1_000_000);
    });
    validate(&unlimited, V2).unwrap();
}

#[test]
fn shares_zero_is_refused_on_v2_instead_of_dropped() {
    let err = refused(&with(|r| r.cpu.shares = Some(0)), V2, "cpu.shares");
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    validate(&with(|r| r.cpu.shares = Some(1)), V2).unwrap();
}

#[test]
fn hugepage_sizes_must_be_powers_of_two_in_the_kernel_spelling() {
    let page = |size: &str| {
        with(|r| {
            r.hugetlb.push(HugetlbLimit {
                page_size: size.to_owned(),
                limit: Limit::Max,
            })
        })
    };
    for (size, says) in [
        ("2048KB", "2MB"),
        ("1024MB", "1GB"),
        ("3MB", "powers of two"),
        ("99999999999999999999GB", "64 bits"),
        ("17179869184GB", "64 bits"),
    ] {
        let err = refused(&page(size), V2, "hugetlb.page_size");
        assert!(err.to_string().contains(says), "{size}: {err}");
    }
    for size in ["4KB", "64KB", "512KB", "1MB", "2MB", "512MB", "1GB", "16GB"] {
        validate(&page(size), V2).unwrap();
    }
}

#[test]
fn reserved_unified_keys_are_refused_on_both_versions_naming_the_key() {
    for key in [
        "cgroup.procs",
        "cgroup.threads",
        "cgroup.kill",
        "cgroup.subtree_control",
        "cgroup.type",
        "cgroup.freeze",
    ] {
        let r = with(|r| {
            r.unified.insert(key.to_owned(), "1".to_owned());
        });
        for version in [V1, V2] {
            let err = refused(&r, version, "unified");
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{key}");
            assert_eq!(err.value(), Some(key));
            assert!(err.to_string().contains(key), "{err}");
        }
    }
    for key in [
        "cgroup.max.depth",
        "cgroup.max.descendants",
        "cgroup.pressure",
    ] {
        let r = with(|r| {
            r.unified.insert(key.to_owned(), "1".to_owned());
        });
        validate(&r, V2).unwrap();
    }
}

#[test]
fn unified_values_that_could_write_nothing_are_refused_before_any_write() {
    for value in ["", "\n", "1\n\n2", "a\0b", "  \n"] {
        let r = with(|r| {
            r.unified
                .insert("cgroup.max.depth".to_owned(), "2".to_owned());
            r.unified
                .insert("cgroup.max.descendants".to_owned(), value.to_owned());
        });
        let err = refused(&r, V2, "unified");
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{value:?}");
    }
    let lines = with(|r| {
        r.unified
            .insert("io.max".to_owned(), "8:0 rbps=1\n8:16 wbps=2\n".to_owned());
    });
    validate(&lines, V2).unwrap();
}
