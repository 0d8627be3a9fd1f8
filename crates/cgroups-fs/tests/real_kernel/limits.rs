//! Limits written and read back: memory, cpu, cpuset, pids, blkio, hugetlb, net.

use std::path::Path;
use std::time::Duration;

use cgroups_core::{CpuQuota, Limit, Manager, Resources};
use ktest::{Failed, ensure, ensure_eq};

use crate::fixture::{Fixture, start, wait_for};

pub fn memory_and_memsw_limits_are_written_and_read_back() -> Result<(), Failed> {
    let f = Fixture::new("memsw", Some(&["memory"]), "")?;
    f.create()?;
    let mib = 1024 * 1024;
    for (memory, memsw) in [(64, 128), (256, 512), (32, 64)] {
        let mut r = Resources::default();
        r.memory.limit_bytes = Some(Limit::Value(memory * mib));
        r.memory.memory_and_swap_bytes = Some(Limit::Value(memsw * mib));
        f.m.set(&r)?;
        ensure_eq!(
            f.read("memory", "memory.limit_in_bytes")?,
            (memory * mib).to_string()
        );
        let read = f.read("memory", "memory.memsw.limit_in_bytes")?;
        ensure_eq!(read, (memsw * mib).to_string());
    }
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Max);
    f.m.set(&r)?;
    let unlimited: u64 = f.read("memory", "memory.limit_in_bytes")?.parse()?;
    ensure!(
        unlimited >= (1 << 63) - (1 << 16),
        "limit {unlimited} is not unlimited"
    );
    let dir = f.path("memory")?;
    f.m.destroy()?;
    ensure!(!dir.exists(), "{} survived destroy", dir.display());
    Ok(())
}

pub fn cpu_shares_quota_and_period_are_read_back() -> Result<(), Failed> {
    let f = Fixture::new("cpu", Some(&["cpu"]), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.cpu.shares = Some(512);
    r.cpu.period_us = Some(50_000);
    r.cpu.quota = Some(CpuQuota::Micros(25_000));
    f.m.set(&r)?;
    ensure_eq!(f.read("cpu", "cpu.shares")?, "512");
    ensure_eq!(f.read("cpu", "cpu.cfs_period_us")?, "50000");
    ensure_eq!(f.read("cpu", "cpu.cfs_quota_us")?, "25000");

    let mut r = Resources::default();
    r.cpu.quota = Some(CpuQuota::Max);
    f.m.set(&r)?;
    ensure_eq!(f.read("cpu", "cpu.cfs_quota_us")?, "-1");

    // Out of range: refused by validation, nothing written.
    let mut r = Resources::default();
    r.cpu.shares = Some(1);
    let err = f.m.set(&r).err().ok_or("shares 1 was accepted")?;
    ensure_eq!(err.kind(), cgroups_core::ErrorKind::InvalidValue);
    ensure_eq!(f.read("cpu", "cpu.shares")?, "512");
    Ok(())
}

pub fn cpuset_levels_inherit_cpus_and_mems_from_the_parent() -> Result<(), Failed> {
    let f = Fixture::new("cpuset", Some(&["cpuset"]), "inner")?;
    f.create()?;
    let inner = f.path("cpuset")?;
    let parent = inner.parent().ok_or("no parent")?;
    let root = parent.parent().ok_or("no root")?;
    let read = |dir: &Path, file: &str| -> Result<String, Failed> {
        Ok(std::fs::read_to_string(dir.join(file))?.trim().to_owned())
    };
    let root_cpus = read(root, "cpuset.cpus")?;
    let root_mems = read(root, "cpuset.mems")?;
    ensure!(!root_cpus.is_empty(), "root cpuset.cpus is empty");
    for dir in [parent, inner.as_path()] {
        ensure_eq!(read(dir, "cpuset.cpus")?, root_cpus, "{}", dir.display());
        ensure_eq!(read(dir, "cpuset.mems")?, root_mems, "{}", dir.display());
    }
    let first_cpu: String = root_cpus.chars().take_while(char::is_ascii_digit).collect();
    let mut r = Resources::default();
    r.cpuset.cpus = Some(first_cpu.clone());
    f.m.set(&r)?;
    ensure_eq!(read(&inner, "cpuset.cpus")?, first_cpu);
    ensure_eq!(read(&inner, "cpuset.mems")?, root_mems);
    Ok(())
}

pub fn pids_limit_stops_a_fork_loop() -> Result<(), Failed> {
    let mut f = Fixture::new("pids", Some(&["pids", "cpu", "freezer"]), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(8));
    f.m.set(&r)?;
    ensure_eq!(f.read("pids", "pids.max")?, "8");
    let (_, mut stdin) =
        f.spawn_joined("i=0; while [ $i -lt 300 ]; do sleep 3 & i=$((i+1)); done; wait")?;
    start(&mut stdin)?;
    let refused = || {
        f.read("pids", "pids.events")
            .ok()
            .and_then(|e| e.strip_prefix("max ").and_then(|n| n.parse::<u64>().ok()))
            .is_some_and(|n| n > 0)
    };
    wait_for(
        "a refused fork (pids.events max > 0)",
        Duration::from_secs(10),
        refused,
    )?;
    let current: u64 = f.read("pids", "pids.current")?.parse()?;
    ensure!(current <= 8, "pids.current {current} is above the limit 8");
    ensure!(f.m.all_pids()?.len() <= 8, "more than 8 processes listed");
    f.m.kill()?;
    Ok(())
}

/// `major:minor` of the block devices of this machine that have an I/O queue.
pub fn block_devices() -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/sys/block")
        .into_iter()
        .flatten()
        .flatten()
    {
        if !entry.path().join("queue").is_dir() {
            continue;
        }
        let Ok(dev) = std::fs::read_to_string(entry.path().join("dev")) else {
            continue;
        };
        if let Some((major, minor)) = dev.trim().split_once(':')
            && let (Ok(major), Ok(minor)) = (major.parse(), minor.parse())
        {
            out.push((major, minor));
        }
    }
    out.sort_unstable();
    out
}

pub fn blkio_throttles_are_written_one_entry_per_write() -> Result<(), Failed> {
    let devices = block_devices();
    ensure!(
        !devices.is_empty(),
        "no block device with a queue in /sys/block"
    );
    let f = Fixture::new("blkio", Some(&["blkio"]), "")?;
    f.create()?;
    let throttle = |(major, minor): (u32, u32), rate: u64| {
        cgroups_core::ThrottleDevice::new(
            cgroups_core::DeviceNumber { major, minor },
            Limit::Value(rate),
        )
    };
    let mut r = Resources::default();
    r.block_io.throttle_read_bps = devices
        .iter()
        .take(2)
        .map(|d| throttle(*d, 1_048_576))
        .collect();
    r.block_io.throttle_write_iops = vec![throttle(devices[0], 300)];
    f.m.set(&r)?;
    let read_bps = f.read("blkio", "blkio.throttle.read_bps_device")?;
    for (major, minor) in devices.iter().take(2) {
        let line = format!("{major}:{minor} 1048576");
        ensure!(
            read_bps.lines().any(|l| l == line),
            "{line:?} missing in {read_bps:?}"
        );
    }
    let (major, minor) = devices[0];
    ensure_eq!(
        f.read("blkio", "blkio.throttle.write_iops_device")?,
        format!("{major}:{minor} 300")
    );

    // Max removes the throttle again.
    let mut r = Resources::default();
    r.block_io.throttle_write_iops = vec![cgroups_core::ThrottleDevice::new(
        cgroups_core::DeviceNumber { major, minor },
        Limit::Max,
    )];
    f.m.set(&r)?;
    ensure_eq!(f.read("blkio", "blkio.throttle.write_iops_device")?, "");
    Ok(())
}

pub fn hugetlb_limit_and_reservation_limit_are_read_back() -> Result<(), Failed> {
    let two_mb = Path::new("/sys/kernel/mm/hugepages/hugepages-2048kB").is_dir();
    ensure!(two_mb, "this machine has no 2 MiB huge pages");
    let f = Fixture::new("hugetlb", Some(&["hugetlb"]), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.hugetlb = vec![cgroups_core::HugetlbLimit::new(
        "2MB",
        Limit::Value(4 * 1024 * 1024),
    )];
    f.m.set(&r)?;
    ensure_eq!(f.read("hugetlb", "hugetlb.2MB.limit_in_bytes")?, "4194304");
    if f.path("hugetlb")?
        .join("hugetlb.2MB.rsvd.limit_in_bytes")
        .exists()
    {
        ensure_eq!(
            f.read("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes")?,
            "4194304"
        );
    }
    let mut r = Resources::default();
    r.hugetlb = vec![cgroups_core::HugetlbLimit::new(
        "2Mi",
        Limit::Value(4 * 1024 * 1024),
    )];
    let err = f.m.set(&r).err().ok_or("page size 2Mi was accepted")?;
    ensure!(err.kind() == cgroups_core::ErrorKind::InvalidValue, "{err}");
    Ok(())
}

pub fn net_cls_classid_and_net_prio_map_are_written() -> Result<(), Failed> {
    let f = Fixture::new("net", Some(&["net_cls", "net_prio"]), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.network.class_id = Some(0x0010_0001);
    r.network.priorities = vec![("lo".to_owned(), 5)];
    f.m.set(&r)?;
    ensure_eq!(f.read("net_cls", "net_cls.classid")?, "1048577");
    let map = f.read("net_prio", "net_prio.ifpriomap")?;
    ensure!(map.lines().any(|l| l == "lo 5"), "lo 5 missing in {map:?}");
    Ok(())
}
