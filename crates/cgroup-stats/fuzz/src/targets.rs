//! Every parser of `cgroup_stats::parse`, by fuzz target name. Shared by the
//! cargo-fuzz targets and by the stable test that replays the stored corpora
//! (`tests/fuzz_corpus.rs`): any input must give `Ok` or `Err`, never a panic.

use cgroup_stats::parse;
use cgroup_stats::{BlkioStats, CpuStats, IdList, MemoryStat, NumaStat};

/// The fuzz targets, one per parser family.
pub const TARGETS: &[&str] = &[
    "memory_stat",
    "numa_stat",
    "cpu_stat",
    "cpuacct",
    "io_stat",
    "blkio",
    "pressure",
    "events",
    "ids",
    "named_lists",
    "numbers",
    "hugepages",
];

/// Runs the parsers of `target` on `data`.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "memory_stat" => {
            let mut stat = MemoryStat::default();
            if parse::memory_stat(data, &mut stat).is_ok() {
                // A second parse over the hints of the first must agree.
                let first = stat.clone();
                let _ = parse::memory_stat(data, &mut stat);
                assert!(first == stat, "hinted re-parse differs");
                let _ = stat.iter().count();
            }
        }
        "numa_stat" => {
            let mut numa = NumaStat::default();
            let _ = parse::numa_stat_v1(data, &mut numa);
            let _ = parse::numa_stat_v2(data, |_, _, _| ());
        }
        "cpu_stat" => {
            let mut cpu = CpuStats::default();
            let _ = parse::cpu_stat_v2(data, &mut cpu);
            let _ = parse::cpu_stat_v1(data);
        }
        "cpuacct" => {
            let (mut u, mut s, mut p) = (Vec::new(), Vec::new(), Vec::new());
            let _ = parse::cpuacct_usage_all(data, &mut u, &mut s);
            let _ = parse::cpuacct_usage_percpu(data, &mut p);
            let _ = parse::cpuacct_stat(data);
            let _ = parse::cpuacct_usage(data);
        }
        "io_stat" => {
            let mut b = BlkioStats::default();
            let _ = parse::io_stat(data, &mut b);
        }
        "blkio" => {
            let mut v = Vec::new();
            let _ = parse::blkio_v1(data, &mut v);
        }
        "pressure" => {
            let _ = parse::pressure(data);
        }
        "events" => {
            let _ = parse::cgroup_events(data);
            let _ = parse::memory_events(data);
            let _ = parse::oom_control(data);
            let _ = parse::flat_keyed(data, ["a", "max", "oom_kill"]);
        }
        "ids" => {
            let mut ids = IdList::default();
            if parse::id_list(data, &mut ids).is_ok() {
                assert!(ids.ranges().iter().all(|(a, b)| a <= b));
                let _ = ids.len();
            }
            if let Ok(n) = parse::process_count(data) {
                assert!(n as usize <= data.len(), "more ids than bytes");
            }
        }
        "named_lists" => {
            let mut v = Vec::new();
            let _ = parse::rdma(data, &mut v);
            let _ = parse::misc(data, |_, _| ());
        }
        "numbers" => {
            let _ = parse::counter(data);
            let _ = parse::limit(data);
            let _ = parse::signed(data);
        }
        "hugepages" => {
            if let Ok(name) = std::str::from_utf8(data)
                && let Ok(Some(size)) = parse::hugepage_dir_name(name)
            {
                let _ = size.to_string();
            }
        }
        _ => panic!("unknown fuzz target {target}"),
    }
}
