//! Tests that need controllers enabled for the children of the cgroup2 root (the
//! pure v2 VM tier); listed as ignored where the root does not enable them.

use std::time::Duration;

use cgroups_core::{CpuQuota, HugetlbLimit, Limit, Manager, Resources};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

use crate::common::{case, memory_limit};
use crate::kids::{Kids, Mode, wait_until};

pub fn tests() -> Vec<Test> {
    let with = |name: &str, controller: &'static str, f: fn() -> Result<(), Failed>| {
        Test::new(name, f)
            .needs(Need::Root)
            .needs(Need::Unified)
            .needs(Need::V2Controller(controller))
    };
    vec![
        with(
            "memory_limits_are_written_and_read_back",
            "memory",
            memory_read_back,
        ),
        with(
            "an_oom_kill_is_counted_in_memory_events",
            "memory",
            oom_kill,
        ),
        with(
            "cpu_max_weight_burst_and_idle_are_written_and_updated",
            "cpu",
            cpu,
        ),
        with("cpuset_cpus_and_mems_are_written", "cpuset", cpuset),
        with("a_pids_limit_stops_a_fork_loop", "pids", pids_limit),
        with("hugetlb_limits_are_written_with_rsvd", "hugetlb", hugetlb),
    ]
}

fn memory_read_back() -> Result<(), Failed> {
    let c = case("memory")?;
    let m = c.manager("job")?;
    let mut r = memory_limit(64 << 20);
    r.memory.memory_and_swap_bytes = Some(Limit::Value(96 << 20));
    r.memory.reservation_bytes = Some(Limit::Value(8 << 20));
    r.memory.high_bytes = Some(Limit::Value(48 << 20));
    r.memory.oom_group = Some(true);
    m.create_with(&r)?;
    m.set(&r)?;
    ensure_eq!(c.read("", "cgroup.subtree_control")?, "memory");
    ensure_eq!(c.read("job", "memory.max")?, (64u64 << 20).to_string());
    ensure_eq!(c.read("job", "memory.swap.max")?, (32u64 << 20).to_string());
    ensure_eq!(c.read("job", "memory.low")?, (8u64 << 20).to_string());
    ensure_eq!(c.read("job", "memory.high")?, (48u64 << 20).to_string());
    ensure_eq!(c.read("job", "memory.oom.group")?, "1");

    // C19: memory+swap equal to memory disables swap; C22: Max is "max".
    let mut r = memory_limit(32 << 20);
    r.memory.memory_and_swap_bytes = Some(Limit::Value(32 << 20));
    m.set(&r)?;
    ensure_eq!(c.read("job", "memory.swap.max")?, "0");
    m.set(&{
        let mut r = Resources::default();
        r.memory.limit_bytes = Some(Limit::Max);
        r
    })?;
    ensure_eq!(c.read("job", "memory.max")?, "max");
    ensure_eq!(m.oom_kill_count()?, 0);
    c.manager("")?.destroy()?;
    Ok(())
}

fn oom_kill() -> Result<(), Failed> {
    let c = case("oom")?;
    let mut kids = Kids::default();
    let m = c.manager("job")?;
    let mut r = memory_limit(32 << 20);
    r.memory.memory_and_swap_bytes = Some(Limit::Value(32 << 20));
    m.create_with(&r)?;
    m.set(&r)?;
    let (pid, _) = kids.spawn(Mode::Hog, &c.name)?;
    m.add_pid(pid)?;
    ensure_eq!(
        kids.wait_signal(pid)?,
        Some(9),
        "the memory hog was not OOM-killed"
    );
    ensure!(m.oom_kill_count()? >= 1);
    c.manager("")?.kill_and_destroy()?;
    Ok(())
}

fn cpu() -> Result<(), Failed> {
    let c = case("cpu")?;
    let m = c.manager("job")?;
    let mut r = Resources::default();
    r.cpu.weight = Some(200);
    r.cpu.quota = Some(CpuQuota::Micros(50000));
    r.cpu.period_us = Some(100000);
    r.cpu.burst_us = Some(1000);
    m.create_with(&r)?;
    m.set(&r)?;
    ensure_eq!(c.read("job", "cpu.weight")?, "200");
    ensure_eq!(c.read("job", "cpu.max")?, "50000 100000");
    ensure_eq!(c.read("job", "cpu.max.burst")?, "1000");

    // C20 update: a period alone keeps the quota.
    let mut period = Resources::default();
    period.cpu.period_us = Some(200000);
    m.set(&period)?;
    ensure_eq!(c.read("job", "cpu.max")?, "50000 200000");
    let mut shares = Resources::default();
    shares.cpu.shares = Some(1024);
    m.set(&shares)?;
    ensure_eq!(c.read("job", "cpu.weight")?, "100");
    let mut idle = Resources::default();
    idle.cpu.idle = Some(true);
    m.set(&idle)?;
    ensure_eq!(c.read("job", "cpu.idle")?, "1");
    c.manager("")?.destroy()?;
    Ok(())
}

fn cpuset() -> Result<(), Failed> {
    let c = case("cpuset")?;
    let m = c.manager("job")?;
    let mut r = Resources::default();
    r.cpuset.cpus = Some("0".into());
    r.cpuset.mems = Some("0".into());
    m.create_with(&r)?;
    m.set(&r)?;
    ensure_eq!(c.read("job", "cpuset.cpus")?, "0");
    ensure_eq!(c.read("job", "cpuset.mems")?, "0");
    c.manager("")?.destroy()?;
    Ok(())
}

fn pids_limit() -> Result<(), Failed> {
    let c = case("pids")?;
    let mut kids = Kids::default();
    let m = c.manager("job")?;
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(4));
    m.create_with(&r)?;
    m.set(&r)?;
    ensure_eq!(c.read("job", "pids.max")?, "4");
    let (pid, counter) = kids.spawn(Mode::ForkLoop, &c.name)?;
    m.add_pid(pid)?;
    wait_until(Duration::from_secs(10), "a refused fork", || {
        counter.failed_forks() > 0
    })?;
    let current: u64 = c.read("job", "pids.current")?.parse()?;
    ensure!(current <= 4, "pids.current {current} above the limit");
    ensure!(c.read("job", "pids.events")?.starts_with("max "));
    ensure!(c.read("job", "pids.events")? != "max 0");
    c.manager("")?.kill_and_destroy()?;
    ensure_eq!(kids.wait_signal(pid)?, Some(9));
    Ok(())
}

fn hugetlb() -> Result<(), Failed> {
    let c = case("hugetlb")?;
    let m = c.manager("job")?;
    let mut r = Resources::default();
    let limit = Limit::Value(4 << 20);
    r.hugetlb.push(HugetlbLimit::new("2MB", limit));
    m.create_with(&r)?;
    m.set(&r)?;
    ensure_eq!(c.read("job", "hugetlb.2MB.max")?, (4u64 << 20).to_string());
    ensure_eq!(
        c.read("job", "hugetlb.2MB.rsvd.max")?,
        (4u64 << 20).to_string()
    );
    c.manager("")?.destroy()?;
    Ok(())
}
