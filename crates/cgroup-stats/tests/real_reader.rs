//! The reader on real cgroups of this machine (ktest): one test cgroup in every
//! v1 hierarchy (no process ever joins the v1 memory cgroup), and a unified one.
//! Values are compared with the files themselves, read separately.

// Tests read the kernel files directly (std::fs) to compare with the reader.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use cgroup_stats::{
    BlkioSource, Controllers, ErrorKind, FdBudget, MemoryStatName, PidsSource, Reader,
    ReaderOptions, V1Dirs,
};
use cgroups_core::{CgroupDir, Limit};
use common::{Counting, allocations_during};
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

#[global_allocator]
static GLOBAL: Counting = Counting;

fn open(cg: &TestCgroup) -> Result<CgroupDir, Failed> {
    Ok(CgroupDir::open_root(cg.hierarchy_root())?.open_child(cg.name())?)
}

fn file(cg: &TestCgroup, name: &str) -> Result<String, Failed> {
    std::fs::read_to_string(cg.path().join(name))
        .map_err(|e| format!("read {}: {e}", cg.path().join(name).display()).into())
}

fn options() -> ReaderOptions {
    let mut options = ReaderOptions::default();
    options.budget = Some(FdBudget::new(10_000));
    options
}

/// Burns some CPU in `cgs` (all but memory), then exits.
fn busy_child(cgs: &[&TestCgroup]) -> Result<(), Failed> {
    let mut child = Command::new("sh")
        .args([
            "-c",
            "read go; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    for cg in cgs {
        cg.adopt_child(child.id())?;
        cg.attach(child.id())?;
    }
    drop(child.stdin.take());
    let status = child.wait().map_err(|e| format!("wait: {e}"))?;
    ensure!(status.success(), "busy child: {status}");
    Ok(())
}

struct V1Set {
    cgs: Vec<(&'static str, TestCgroup)>,
}

impl V1Set {
    fn new(tag: &str) -> Result<V1Set, Failed> {
        let names = [
            "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
        ];
        let mut cgs = Vec::new();
        for c in names {
            cgs.push((c, TestCgroup::new_v1(c, tag)?));
        }
        Ok(V1Set { cgs })
    }

    fn get(&self, c: &str) -> &TestCgroup {
        &self
            .cgs
            .iter()
            .find(|(n, _)| *n == c)
            .expect("controller")
            .1
    }

    fn dirs(&self) -> Result<V1Dirs, Failed> {
        let mut dirs = V1Dirs::new();
        for (c, cg) in &self.cgs {
            // devices and freezer carry no statistics: `set` says so.
            let taken = dirs.set(c, open(cg)?);
            ensure_eq!(taken, !matches!(*c, "devices" | "freezer"), "{c}");
        }
        Ok(dirs)
    }

    fn remove(self) -> Result<(), Failed> {
        for (_, cg) in self.cgs {
            cg.remove()?;
        }
        Ok(())
    }
}

fn v1_stats_of_every_hierarchy_are_complete_and_correct() -> Result<(), Failed> {
    let set = V1Set::new("stats-all")?;
    let mut reader = Reader::open_v1(&set.dirs()?, options())?;
    let cgs: Vec<&TestCgroup> = ["cpu", "cpuacct", "blkio", "pids", "freezer", "devices"]
        .iter()
        .map(|c| set.get(c))
        .collect();
    busy_child(&cgs)?;
    let stats = reader.read()?.clone();

    let cpu = stats.cpu.as_ref().ok_or("no cpu part")?;
    let usage = cpu.usage.as_ref().ok_or("no cpuacct usage")?;
    let acct = set.get("cpuacct");
    ensure_eq!(
        usage.total_ns,
        file(acct, "cpuacct.usage")?.trim().parse::<u64>()?
    );
    ensure!(usage.total_ns > 0, "a busy child used no CPU");
    let cpus = file(acct, "cpuacct.usage_percpu")?
        .split_whitespace()
        .count();
    ensure_eq!(usage.percpu_ns.len(), cpus, "one entry per possible CPU");
    ensure_eq!(usage.percpu_user_ns.len(), cpus);
    let sum: u64 = usage.percpu_ns.iter().sum();
    ensure_eq!(sum, usage.total_ns, "usage_percpu adds up to cpuacct.usage");
    let throttling = cpu.throttling.ok_or("no cpu.stat throttling")?;
    ensure_eq!(throttling.periods, 0, "no quota, no periods");

    let memory = stats.memory.as_ref().ok_or("no memory part")?;
    let mem = set.get("memory");
    ensure_eq!(
        memory.usage.usage,
        0,
        "nothing ever joins the memory cgroup"
    );
    ensure_eq!(memory.usage.limit, Some(Limit::Max));
    ensure!(memory.swap_usage.is_some() == mem.path().join("memory.memsw.usage_in_bytes").exists());
    ensure!(memory.kernel_usage.is_some() && memory.kernel_tcp_usage.is_some());
    let stat_lines = file(mem, "memory.stat")?.lines().count();
    ensure_eq!(
        memory.stat.len(),
        stat_lines,
        "every memory.stat line is kept"
    );
    for line in file(mem, "memory.stat")?.lines() {
        let (k, v) = line.split_once(' ').ok_or("bad memory.stat line")?;
        ensure_eq!(memory.stat.get_by_name(k), Some(v.parse::<u64>()?), "{k}");
    }
    let unknown: Vec<_> = memory
        .stat
        .iter()
        .filter(|(n, _)| matches!(n, MemoryStatName::Other(_)))
        .collect();
    ensure!(
        unknown.is_empty(),
        "keys this crate should know: {unknown:?}"
    );
    ensure!(memory.numa.is_some() && memory.oom_control.is_some());
    ensure_eq!(
        memory.use_hierarchy,
        file(mem, "memory.use_hierarchy")?.trim() == "1"
    );

    let pids = stats.pids.ok_or("no pids part")?;
    ensure_eq!(
        (pids.current, pids.limit, pids.source),
        (0, Some(Limit::Max), PidsSource::PidsCurrent),
        "the child has exited"
    );
    let blkio = stats.blkio.as_ref().ok_or("no blkio part")?;
    ensure_eq!(
        blkio.source,
        BlkioSource::ThrottleRecursive,
        "only throttle files here"
    );
    let cpuset = stats.cpuset.as_ref().ok_or("no cpuset part")?;
    ensure!(
        cpuset.cpus.is_empty(),
        "a new v1 cpuset child has no cpus yet"
    );
    ensure_eq!(cpuset.sched_relax_domain_level, Some(-1));

    let n = allocations_during(|| {
        for _ in 0..20 {
            let _ = reader.read();
        }
    });
    ensure_eq!(
        n,
        0,
        "allocations per steady-state read on real v1 cgroupfs"
    );
    drop(reader);
    set.remove()
}

fn unified_stats_have_cpu_and_pressure() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("stats-reader")?;
    let mut reader = Reader::open_v2(&open(&cg)?, options())?;
    busy_child(&[&cg])?;
    let stats = reader.read()?.clone();
    let cpu = stats.cpu.as_ref().ok_or("no cpu part")?;
    let usage = cpu.usage.as_ref().ok_or("no usage")?;
    ensure!(
        usage.total_ns > 0 && usage.total_ns % 1000 == 0,
        "{usage:?}"
    );
    let has = |f: &str| cg.path().join(f).exists();
    ensure_eq!(cpu.psi.is_some(), has("cpu.pressure"));
    ensure_eq!(stats.memory.is_some(), has("memory.current"));
    let pids = stats
        .pids
        .ok_or("no pids part: counted or read, it is always there")?;
    match has("pids.current") {
        true => ensure_eq!(pids.source, PidsSource::PidsCurrent),
        false => ensure_eq!(pids.source, PidsSource::CgroupProcs),
    }
    let blkio = stats.blkio.as_ref();
    ensure_eq!(blkio.and_then(|b| b.psi).is_some(), has("io.pressure"));
    ensure_eq!(stats.hugetlb.is_empty(), !has("hugetlb.2MB.current"));
    cg.remove()
}

/// A child cgroup `name` of `cg` (removed with `cg`'s tree) and its handle.
fn sub_cgroup(cg: &TestCgroup, name: &str) -> Result<(std::path::PathBuf, CgroupDir), Failed> {
    let path = cg.path().join(name);
    std::fs::create_dir(&path).map_err(|e| format!("mkdir {}: {e}", path.display()))?;
    let dir = open(cg)?.open_child(name)?;
    Ok((path, dir))
}

/// Processes the test started; killed and reaped on drop, also on failure.
struct Kids(Vec<std::process::Child>);

impl Kids {
    /// Starts `sleep 120`, also adopted by `cg`; returns its pid.
    fn sleeper(&mut self, cg: &TestCgroup) -> Result<u32, Failed> {
        let child = Command::new("sleep")
            .arg("120")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn sleep: {e}"))?;
        let pid = child.id();
        self.0.push(child);
        cg.adopt_child(pid)?;
        Ok(pid)
    }
}

impl Drop for Kids {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn write(path: &Path, value: &str) -> Result<(), Failed> {
    std::fs::write(path, value)
        .map_err(|e| format!("write {value} to {}: {e}", path.display()).into())
}

fn unified_without_pids_controller_counts_cgroup_procs() -> Result<(), Failed> {
    // The test cgroup enables nothing for its children, so `leaf` never has
    // pids.current, whatever the root enables.
    let cg = TestCgroup::new_unified("stats-pids-count")?;
    let mut kids = Kids(Vec::new());
    let (leaf_path, leaf) = sub_cgroup(&cg, "leaf")?;
    ensure!(
        !leaf_path.join("pids.current").exists(),
        "leaf has pids.current"
    );
    for _ in 0..2 {
        let pid = kids.sleeper(&cg)?;
        write(&leaf_path.join("cgroup.procs"), &pid.to_string())?;
    }
    let pids_only = ReaderOptions::with_controllers(Controllers::PIDS);
    let mut reader = Reader::open_v2(&leaf, pids_only.clone())?;
    let pids = reader.read()?.pids.ok_or("no pids part")?;
    ensure_eq!((pids.current, pids.source), (2, PidsSource::CgroupProcs));
    ensure_eq!(pids.limit, None);
    counted_pids_json_is_go_shaped(&pids)?;

    // The parent's own list is empty: a count never includes descendants,
    // unlike pids.current (present here only if the root enables pids).
    let parent = Reader::open_v2(&open(&cg)?, pids_only)?.read()?.pids;
    let parent = parent.ok_or("no pids part for the parent")?;
    let expected = match cg.path().join("pids.current").exists() {
        true => (2, PidsSource::PidsCurrent),
        false => (0, PidsSource::CgroupProcs),
    };
    ensure_eq!((parent.current, parent.source), expected);
    drop(reader);
    drop(kids);
    cg.remove()
}

#[cfg(feature = "serde")]
fn counted_pids_json_is_go_shaped(pids: &cgroup_stats::PidsStats) -> Result<(), Failed> {
    let json = serde_json::to_value(pids)?;
    ensure_eq!(json["current"], pids.current);
    ensure_eq!(json["limit"], 0, "Go reports limit 0 for a count");
    ensure_eq!(json["counted_from"], "cgroup.procs");
    Ok(())
}

#[cfg(not(feature = "serde"))]
fn counted_pids_json_is_go_shaped(_: &cgroup_stats::PidsStats) -> Result<(), Failed> {
    Ok(()) // no JSON without the feature; tests/json_names.rs covers it too
}

fn unified_threaded_cgroup_counts_cgroup_threads() -> Result<(), Failed> {
    // `leaf` made threaded (its parent, the test cgroup, becomes "domain
    // threaded"): reading its cgroup.procs fails with EOPNOTSUPP.
    let cg = TestCgroup::new_unified("stats-pids-threads")?;
    let mut kids = Kids(Vec::new());
    let (leaf_path, leaf) = sub_cgroup(&cg, "leaf")?;
    write(&leaf_path.join("cgroup.type"), "threaded")?;
    let pid = kids.sleeper(&cg)?;
    cg.attach(pid)?;
    // A thread of the domain moves into the threaded child (sleep's only
    // thread has the process's id).
    write(&leaf_path.join("cgroup.threads"), &pid.to_string())?;
    let procs = std::fs::read_to_string(leaf_path.join("cgroup.procs"));
    let refused = procs.as_ref().err().and_then(|e| e.raw_os_error());
    ensure_eq!(
        refused,
        Some(95),
        "cgroup.procs of a threaded cgroup: {procs:?}"
    );

    let options = ReaderOptions::with_controllers(Controllers::PIDS);
    let pids = Reader::open_v2(&leaf, options)?.read()?.pids;
    let pids = pids.ok_or("no pids part")?;
    ensure_eq!((pids.current, pids.source), (1, PidsSource::CgroupThreads));
    drop(kids);
    cg.remove()
}

fn removed_cgroup_gives_gone() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("stats-gone")?;
    let mut reader = Reader::open_v2(&open(&cg)?, options())?;
    reader.read()?;
    std::fs::remove_dir(cg.path())?;
    let err = reader.read().err().ok_or("a removed cgroup still reads")?;
    ensure_eq!(err.kind(), ErrorKind::Gone, "{err}");
    cg.remove()
}

fn removed_v1_cgroup_gives_gone() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("pids", "stats-gone1")?;
    let dirs = V1Dirs::new().with_pids(open(&cg)?);
    let mut reader = Reader::open_v1(&dirs, ReaderOptions::with_controllers(Controllers::PIDS))?;
    reader.read()?;
    std::fs::remove_dir(cg.path())?;
    let err = reader.read().err().ok_or("a removed cgroup still reads")?;
    ensure_eq!(err.kind(), ErrorKind::Gone, "{err}");
    cg.remove()
}

fn hiding_psi_files_makes_pressure_absent() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("stats-psi-hide")?;
    let mut reader = Reader::open_v2(&open(&cg)?, options())?;
    ensure!(
        reader.read()?.cpu.as_ref().and_then(|c| c.psi).is_some(),
        "psi"
    );
    std::fs::write(cg.path().join("cgroup.pressure"), "0")?;
    let stats = reader.read()?;
    ensure!(
        stats.cpu.as_ref().ok_or("cpu")?.psi.is_none(),
        "C10: hidden PSI is absent"
    );
    cg.remove()
}

/// `cpu,cpuacct` co-mounted (tier `vm-v1-comount`): one directory serves both parts.
fn v1_comounted_cpu_and_cpuacct_are_read_from_one_directory() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("cpu", "stats-comount")?;
    let acct = ktest::mounts::v1_hierarchy("cpuacct").ok_or("no v1 cpuacct")?;
    ensure_eq!(acct.mount_point.as_path(), cg.hierarchy_root());
    let mut dirs = V1Dirs::new();
    ensure!(dirs.set("cpu", open(&cg)?) && dirs.set("cpuacct", open(&cg)?));
    // Half a CPU, so the busy child runs through enforcement periods.
    std::fs::write(cg.path().join("cpu.cfs_quota_us"), "50000")?;
    let mut reader = Reader::open_v1(&dirs, options())?;
    busy_child(&[&cg])?;
    let stats = reader.read()?.clone();

    let cpu = stats.cpu.as_ref().ok_or("no cpu part")?;
    let usage = cpu.usage.as_ref().ok_or("no cpuacct usage")?;
    ensure_eq!(
        usage.total_ns,
        file(&cg, "cpuacct.usage")?.trim().parse::<u64>()?
    );
    ensure!(usage.total_ns > 0, "a busy child used no CPU");
    let throttling = cpu.throttling.ok_or("no cpu.stat throttling")?;
    let cpu_stat = file(&cg, "cpu.stat")?;
    let periods = cpu_stat
        .lines()
        .find_map(|l| l.strip_prefix("nr_periods "))
        .ok_or("no nr_periods in cpu.stat")?;
    ensure_eq!(throttling.periods, periods.parse::<u64>()?);
    ensure!(
        throttling.periods > 0,
        "a quota and a busy child: {cpu_stat}"
    );
    drop(reader);
    cg.remove()
}

fn main() {
    let v1: Vec<Need> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
    ]
    .into_iter()
    .map(Need::V1Controller)
    .collect();
    let mut all = Test::new(
        "v1_stats_of_every_hierarchy_are_complete_and_correct",
        v1_stats_of_every_hierarchy_are_complete_and_correct,
    )
    .needs(Need::Root);
    for need in v1 {
        all = all.needs(need);
    }
    let _ = Path::new("/");
    ktest::main(vec![
        all,
        Test::new(
            "unified_stats_have_cpu_and_pressure",
            unified_stats_have_cpu_and_pressure,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cpu.stat")),
        Test::new(
            "unified_without_pids_controller_counts_cgroup_procs",
            unified_without_pids_controller_counts_cgroup_procs,
        )
        .needs(Need::Root)
        .needs(Need::Unified),
        Test::new(
            "unified_threaded_cgroup_counts_cgroup_threads",
            unified_threaded_cgroup_counts_cgroup_threads,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cgroup.type")),
        Test::new(
            "v1_comounted_cpu_and_cpuacct_are_read_from_one_directory",
            v1_comounted_cpu_and_cpuacct_are_read_from_one_directory,
        )
        .needs(Need::Root)
        .needs(Need::V1Comounted("cpu", "cpuacct")),
        Test::new("removed_cgroup_gives_gone", removed_cgroup_gives_gone)
            .needs(Need::Root)
            .needs(Need::Unified),
        Test::new("removed_v1_cgroup_gives_gone", removed_v1_cgroup_gives_gone)
            .needs(Need::Root)
            .needs(Need::V1Controller("pids")),
        Test::new(
            "hiding_psi_files_makes_pressure_absent",
            hiding_psi_files_makes_pressure_absent,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cgroup.pressure")),
    ])
}
