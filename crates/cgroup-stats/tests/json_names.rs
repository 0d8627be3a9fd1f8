//! With `serde`, statistics serialize with the Go reference's `cgroups.Stats`
//! JSON names (reference §1.4).
#![cfg(feature = "serde")]

mod common;

use cgroup_stats::{Controllers, FdBudget, PageSize, Reader, ReaderOptions, V1Dirs};
use serde_json::Value;

fn options() -> ReaderOptions {
    let mut options = ReaderOptions::with_controllers(Controllers::all());
    options.budget = Some(FdBudget::new(1000));
    options.hugepage_sizes = Some(vec![PageSize::from_kib(2048)]);
    options
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort();
    k
}

#[test]
fn v2_stats_use_the_go_reference_names() {
    let cg = common::full_v2();
    let mut r = Reader::open_v2(&cg.dir, options()).unwrap();
    let json = serde_json::to_value(r.read().unwrap()).unwrap();
    assert_eq!(
        keys(&json),
        [
            "blkio_stats",
            "cpu_stats",
            "cpuset_stats",
            "hugetlb_stats",
            "memory_stats",
            "misc_stats",
            "pids_stats",
            "rdma_stats"
        ]
    );
    let cpu = &json["cpu_stats"];
    assert_eq!(
        keys(cpu),
        ["burst_data", "cpu_usage", "psi", "throttling_data"]
    );
    assert_eq!(
        keys(&cpu["cpu_usage"]),
        [
            "percpu_usage_in_kernelmode",
            "percpu_usage_in_usermode",
            "total_usage",
            "usage_in_kernelmode",
            "usage_in_usermode"
        ]
    );
    assert_eq!(
        keys(&cpu["throttling_data"]),
        ["periods", "throttled_periods", "throttled_time"]
    );
    assert_eq!(keys(&cpu["burst_data"]), ["burst_time", "bursts_periods"]);
    assert_eq!(keys(&cpu["psi"]), ["full", "some"]);
    assert_eq!(
        keys(&cpu["psi"]["some"]),
        ["avg10", "avg300", "avg60", "total"]
    );
    assert_eq!(cpu["cpu_usage"]["total_usage"], 3_611_347_518_000u64);

    let mem = &json["memory_stats"];
    for k in [
        "cache",
        "usage",
        "swap_usage",
        "swap_only_usage",
        "use_hierarchy",
        "stats",
        "psi",
    ] {
        assert!(mem.get(k).is_some(), "memory_stats.{k}");
    }
    assert_eq!(keys(&mem["usage"]), ["limit", "max_usage", "usage"]);
    assert_eq!(mem["usage"]["limit"], u64::MAX, "max is u64::MAX like Go");
    assert_eq!(mem["stats"]["anon"], 1_411_100_672u64);
    assert_eq!(
        json["pids_stats"]["limit"], 0,
        "unlimited pids is 0 like Go"
    );
    assert_eq!(
        keys(&json["pids_stats"]),
        ["current", "events_max", "limit", "peak"],
        "no counted_from for pids.current"
    );
    let blkio = &json["blkio_stats"];
    for k in [
        "io_service_bytes_recursive",
        "io_serviced_recursive",
        "io_queue_recursive",
        "io_service_time_recursive",
        "io_wait_time_recursive",
        "io_merged_recursive",
        "io_time_recursive",
        "sectors_recursive",
        "io_cost_usage",
        "io_cost_wait",
        "io_cost_indebt",
        "io_cost_indelay",
    ] {
        assert!(blkio.get(k).is_some(), "blkio_stats.{k}");
    }
    let entry = &blkio["io_service_bytes_recursive"][0];
    assert_eq!(keys(entry), ["major", "minor", "op", "value"]);
    assert_eq!(entry["op"], "Read");
    assert_eq!(blkio["io_cost_usage"][0]["op"], "Count");
    assert_eq!(keys(&json["hugetlb_stats"]["2MB"]), ["failcnt", "usage"]);
    assert_eq!(keys(&json["rdma_stats"]), ["rdma_current", "rdma_limit"]);
    assert_eq!(
        keys(&json["rdma_stats"]["rdma_current"][0]),
        ["device", "hca_handles", "hca_objects"]
    );
    assert_eq!(keys(&json["misc_stats"]["sev"]), ["events", "usage"]);
    assert_eq!(
        json["cpuset_stats"]["cpus"],
        serde_json::json!([0, 1, 2, 3, 8])
    );
}

#[test]
fn counted_pids_keep_the_go_names_and_say_what_was_counted() {
    let cg = common::fake(&[("cgroup.procs", "40\n41\n42\n")]);
    let mut r = Reader::open_v2(&cg.dir, options()).unwrap();
    let json = serde_json::to_value(r.read().unwrap()).unwrap();
    let pids = &json["pids_stats"];
    assert_eq!(keys(pids), ["counted_from", "current", "limit"]);
    assert_eq!(pids["current"], 3);
    assert_eq!(pids["limit"], 0, "Go: Limit 0 when counted");
    assert_eq!(pids["counted_from"], "cgroup.procs");
}

#[test]
fn v1_stats_use_the_go_reference_names() {
    let cg = common::full_v1();
    let mut dirs = V1Dirs::new();
    for c in [
        "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb",
    ] {
        dirs.set(c, cg.dir.try_clone().unwrap());
    }
    let mut r = Reader::open_v1(&dirs, options()).unwrap();
    let json = serde_json::to_value(r.read().unwrap()).unwrap();
    let mem = &json["memory_stats"];
    for k in [
        "kernel_usage",
        "kernel_tcp_usage",
        "page_usage_by_numa",
        "swap_only_usage",
    ] {
        assert!(mem.get(k).is_some(), "memory_stats.{k}");
    }
    assert_eq!(
        keys(&mem["usage"]),
        ["failcnt", "limit", "max_usage", "usage"]
    );
    let numa = &mem["page_usage_by_numa"];
    assert_eq!(
        keys(numa),
        ["anon", "file", "hierarchical", "total", "unevictable"]
    );
    assert_eq!(numa["total"]["nodes"]["3"], 2497);
    assert_eq!(mem["stats"]["total_cache"], 4_200_333_312u64);
    let cpuset = &json["cpuset_stats"];
    assert_eq!(cpuset["cpu_exclusive"], 0);
    assert_eq!(cpuset["sched_relax_domain_level"], -1);
    assert_eq!(
        json["cpu_stats"]["cpu_usage"]["percpu_usage"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(
        keys(&json["hugetlb_stats"]["2MB"]),
        ["failcnt", "max_usage", "usage"]
    );
}
