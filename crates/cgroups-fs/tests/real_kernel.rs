//! Real-kernel tests of the v1 driver on this machine's hierarchies.
//!
//! Every test works in uniquely named `cgtest-*` cgroups, checks that they are on
//! cgroupfs, puts only its own children in them, and removes them (a fixture that
//! kills and destroys on drop, plus ktest's cleanup guard). On this hybrid host no
//! process is ever moved into a v1 memory cgroup: such tests need
//! `Need::V1MemoryAttach` and run in the v1 VM tier.
// Tests read kernel files directly to check what the driver wrote.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use cgroups_core::{CgroupPath, Config, CpuQuota, FreezerState, Limit, Manager, Resources};
use cgroups_fs::FsManager;
use ktest::{CleanupGuard, Failed, Need, Test, TestCgroup, ensure, ensure_eq};

/// The child mode of this binary: allocate and touch this many MiB, then exit.
const ALLOCATE_ENV: &str = "CGROUPS_FS_TEST_ALLOCATE_MIB";

/// A manager on a fresh `cgtest-*` cgroup, cleaned up on drop (also on panic).
struct Fixture {
    m: FsManager,
    children: Vec<Child>,
    _guard: CleanupGuard,
}

impl Fixture {
    /// `path` below the top-level test cgroup: `""` or `"inner"` (nested).
    fn new(tag: &str, controllers: Option<&[&str]>, inner: &str) -> Result<Fixture, Failed> {
        let top = TestCgroup::name_for(tag);
        let path = match inner {
            "" => format!("/{top}"),
            inner => format!("/{top}/{inner}"),
        };
        let mut config = Config::new(CgroupPath::parse(&path)?);
        if let Some(list) = controllers {
            config = config.controllers(list.iter().copied());
        }
        let m = FsManager::new(config)?;
        let tops: Vec<PathBuf> = m.paths().values().map(|p| top_dir(p, &top)).collect();
        let guard = ktest::cleanup_guard(tops);
        Ok(Fixture {
            m,
            children: Vec::new(),
            _guard: guard,
        })
    }

    /// Creates the cgroup and checks each directory is on cgroupfs.
    fn create(&self) -> Result<(), Failed> {
        self.m.create()?;
        for (controller, path) in self.m.paths() {
            ensure!(path.is_dir(), "{controller}: {} missing", path.display());
            ktest::assert_cgroupfs(&path)?;
        }
        Ok(())
    }

    fn path(&self, controller: &str) -> Result<PathBuf, Failed> {
        let paths = self.m.paths();
        let p = paths
            .get(controller)
            .ok_or(format!("no {controller} path"))?;
        Ok(p.clone())
    }

    fn read(&self, controller: &str, file: &str) -> Result<String, Failed> {
        let path = self.path(controller)?.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        Ok(text.trim().to_owned())
    }

    /// Starts `sh -c script` waiting on stdin, moves it into the cgroup, and returns
    /// the pipe that starts it (write a line).
    fn spawn_joined(&mut self, script: &str) -> Result<(u32, ChildStdin), Failed> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("read go; {script}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn sh: {e}"))?;
        let pid = child.id();
        let stdin = child.stdin.take().ok_or("no stdin")?;
        self.children.push(child);
        self.m.add_pid(pid)?;
        Ok((pid, stdin))
    }
}

impl Fixture {
    /// Waits for the test's own children (after they were killed).
    fn reap(&mut self) {
        for child in &mut self.children {
            let _ = child.wait();
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.m.kill();
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.m.destroy();
    }
}

/// `<mount>/cgtest-...` for a cgroup path below it.
fn top_dir(path: &Path, top: &str) -> PathBuf {
    let mut p = path.to_path_buf();
    while p.file_name().is_some_and(|n| n != top) && p.pop() {}
    p
}

fn start(stdin: &mut ChildStdin) -> Result<(), Failed> {
    stdin.write_all(b"go\n")?;
    stdin.flush()?;
    Ok(())
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) -> Result<(), Failed> {
    let deadline = Instant::now() + timeout;
    while !f() {
        ensure!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

fn memory_and_memsw_limits_are_written_and_read_back() -> Result<(), Failed> {
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

fn cpu_shares_quota_and_period_are_read_back() -> Result<(), Failed> {
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

fn cpuset_levels_inherit_cpus_and_mems_from_the_parent() -> Result<(), Failed> {
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

fn pids_limit_stops_a_fork_loop() -> Result<(), Failed> {
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

fn frozen_child_stops_its_heartbeat_until_thawed() -> Result<(), Failed> {
    let mut f = Fixture::new("freeze", Some(&["freezer", "pids"]), "")?;
    f.create()?;
    let dir = tempfile::tempdir()?;
    let beat = dir.path().join("beat");
    let script = format!(
        "i=0; while [ $i -lt 1200 ]; do i=$((i+1)); echo $i > {}; sleep 0.05; done",
        beat.display()
    );
    let (_, mut stdin) = f.spawn_joined(&script)?;
    start(&mut stdin)?;
    let read_beat = || std::fs::read_to_string(&beat).unwrap_or_default();
    wait_for("the first heartbeat", Duration::from_secs(5), || {
        !read_beat().is_empty()
    })?;
    let first = read_beat();
    wait_for("a second heartbeat", Duration::from_secs(5), || {
        read_beat() != first
    })?;

    f.m.freeze()?;
    ensure_eq!(f.m.freezer_state()?, FreezerState::Frozen);
    let frozen_at = read_beat();
    std::thread::sleep(Duration::from_millis(500));
    ensure_eq!(read_beat(), frozen_at, "the heartbeat moved while frozen");

    f.m.thaw()?;
    ensure_eq!(f.m.freezer_state()?, FreezerState::Thawed);
    wait_for("a heartbeat after thaw", Duration::from_secs(5), || {
        read_beat() != frozen_at
    })?;
    Ok(())
}

fn kill_empties_a_cgroup_running_a_fork_loop(
    controllers: &'static [&'static str],
) -> Result<(), Failed> {
    let mut f = Fixture::new("kill", Some(controllers), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(64));
    f.m.set(&r)?;
    let (_, mut stdin) = f.spawn_joined("while :; do sh -c 'sleep 30' & done")?;
    start(&mut stdin)?;
    let busy = || f.m.all_pids().map(|p| p.len() >= 10).unwrap_or(false);
    wait_for(
        "the fork loop to fill the cgroup",
        Duration::from_secs(10),
        busy,
    )?;
    f.m.kill()?;
    ensure!(f.m.all_pids()?.is_empty(), "processes left after kill");
    // Killed tasks stay charged as zombies until reaped: our own child by us, the
    // orphans by init.
    f.reap();
    let uncharged = || f.read("pids", "pids.current").is_ok_and(|c| c == "0");
    wait_for(
        "pids.current to drop to 0",
        Duration::from_secs(10),
        uncharged,
    )?;
    let paths: Vec<PathBuf> = f.m.paths().into_values().collect();
    f.m.destroy()?;
    for p in paths {
        ensure!(!p.exists(), "{} survived destroy", p.display());
    }
    Ok(())
}

fn destroy_leaves_no_directory_in_any_hierarchy() -> Result<(), Failed> {
    // Every mounted hierarchy, memory included: created and removed, no process.
    let f = Fixture::new("destroy", None, "")?;
    f.create()?;
    ensure!(f.m.exists(), "exists() is false after create");
    let paths = f.m.paths();
    ensure!(
        paths.contains_key("memory"),
        "memory hierarchy not used: {paths:?}"
    );
    let hybrid = ktest::mounts::unified_hierarchy().is_some();
    ensure_eq!(
        paths.contains_key(""),
        hybrid,
        "unified hierarchy used iff hybrid"
    );
    f.m.destroy()?;
    for (controller, p) in &paths {
        ensure!(
            !p.exists(),
            "{controller}: {} survived destroy",
            p.display()
        );
    }
    ensure!(!f.m.exists(), "exists() is true after destroy");
    Ok(())
}

fn hybrid_host_joins_the_unified_hierarchy_without_writing_there() -> Result<(), Failed> {
    let mut f = Fixture::new("unified", Some(&["pids", "unified"]), "")?;
    f.create()?;
    let (pid, _stdin) = f.spawn_joined("exit 0")?;
    let procs = f.read("", "cgroup.procs")?;
    ensure_eq!(procs, pid.to_string());
    ensure_eq!(f.read("", "cgroup.subtree_control")?, "");
    ensure!(
        f.m.cgroup2_dir_fd().is_none(),
        "v1 driver offered a cgroup2 fd"
    );
    ensure_eq!(f.m.procs_files()?.len(), 2);
    Ok(())
}

fn oom_killer_fires_in_a_small_memory_cgroup() -> Result<(), Failed> {
    let f = Fixture::new("oom", Some(&["memory", "freezer"]), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(16 * 1024 * 1024));
    f.m.set(&r)?;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .env(ALLOCATE_ENV, "64")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let joined = f.m.add_pid(child.id());
    if let Err(e) = joined {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e.into());
    }
    start(&mut stdin)?;
    let status = child.wait()?;
    use std::os::unix::process::ExitStatusExt;
    ensure_eq!(
        status.signal(),
        Some(9),
        "the allocating child was not OOM-killed"
    );
    ensure!(f.m.oom_kill_count()? >= 1, "oom_kill_count stayed 0");
    Ok(())
}

/// `major:minor` of the block devices of this machine that have an I/O queue.
fn block_devices() -> Vec<(u32, u32)> {
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

fn blkio_throttles_are_written_one_entry_per_write() -> Result<(), Failed> {
    let devices = block_devices();
    ensure!(
        !devices.is_empty(),
        "no block device with a queue in /sys/block"
    );
    let f = Fixture::new("blkio", Some(&["blkio"]), "")?;
    f.create()?;
    let throttle = |(major, minor): (u32, u32), rate: u64| cgroups_core::ThrottleDevice {
        device: cgroups_core::DeviceNumber { major, minor },
        rate: Limit::Value(rate),
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
    r.block_io.throttle_write_iops = vec![cgroups_core::ThrottleDevice {
        device: cgroups_core::DeviceNumber { major, minor },
        rate: Limit::Max,
    }];
    f.m.set(&r)?;
    ensure_eq!(f.read("blkio", "blkio.throttle.write_iops_device")?, "");
    Ok(())
}

fn hugetlb_limit_and_reservation_limit_are_read_back() -> Result<(), Failed> {
    let two_mb = Path::new("/sys/kernel/mm/hugepages/hugepages-2048kB").is_dir();
    ensure!(two_mb, "this machine has no 2 MiB huge pages");
    let f = Fixture::new("hugetlb", Some(&["hugetlb"]), "")?;
    f.create()?;
    let mut r = Resources::default();
    r.hugetlb = vec![cgroups_core::HugetlbLimit {
        page_size: "2MB".to_owned(),
        limit: Limit::Value(4 * 1024 * 1024),
    }];
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
    r.hugetlb = vec![cgroups_core::HugetlbLimit {
        page_size: "2Mi".to_owned(),
        limit: Limit::Value(4 * 1024 * 1024),
    }];
    let err = f.m.set(&r).err().ok_or("page size 2Mi was accepted")?;
    ensure!(err.kind() == cgroups_core::ErrorKind::InvalidValue, "{err}");
    Ok(())
}

fn net_cls_classid_and_net_prio_map_are_written() -> Result<(), Failed> {
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

/// Child mode: wait for a line on stdin, then allocate and touch `mib` MiB.
fn allocate_and_exit(mib: &str) -> ! {
    let mib: usize = mib.parse().unwrap_or(0);
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    let mut blocks = Vec::new();
    for _ in 0..mib {
        blocks.push(vec![1u8; 1024 * 1024]);
    }
    std::process::exit(i32::from(blocks.len() != mib))
}

fn main() {
    if let Ok(mib) = std::env::var(ALLOCATE_ENV) {
        allocate_and_exit(&mib);
    }
    let v1 = |c| Need::V1Controller(c);
    ktest::main(vec![
        Test::new(
            "memory_and_memsw_limits_are_written_and_read_back",
            memory_and_memsw_limits_are_written_and_read_back,
        )
        .needs(Need::Root)
        .needs(v1("memory")),
        Test::new(
            "cpu_shares_quota_and_period_are_read_back",
            cpu_shares_quota_and_period_are_read_back,
        )
        .needs(Need::Root)
        .needs(v1("cpu")),
        Test::new(
            "cpuset_levels_inherit_cpus_and_mems_from_the_parent",
            cpuset_levels_inherit_cpus_and_mems_from_the_parent,
        )
        .needs(Need::Root)
        .needs(v1("cpuset")),
        Test::new("pids_limit_stops_a_fork_loop", pids_limit_stops_a_fork_loop)
            .needs(Need::Root)
            .needs(v1("pids"))
            .needs(v1("cpu"))
            .needs(v1("freezer")),
        Test::new(
            "frozen_child_stops_its_heartbeat_until_thawed",
            frozen_child_stops_its_heartbeat_until_thawed,
        )
        .needs(Need::Root)
        .needs(v1("freezer"))
        .needs(v1("pids")),
        Test::new("kill_with_freezer_empties_a_fork_loop", || {
            kill_empties_a_cgroup_running_a_fork_loop(&["pids", "cpu", "freezer"])
        })
        .needs(Need::Root)
        .needs(v1("pids"))
        .needs(v1("freezer")),
        Test::new("kill_without_freezer_empties_a_fork_loop", || {
            kill_empties_a_cgroup_running_a_fork_loop(&["pids", "cpu"])
        })
        .needs(Need::Root)
        .needs(v1("pids")),
        Test::new(
            "destroy_leaves_no_directory_in_any_hierarchy",
            destroy_leaves_no_directory_in_any_hierarchy,
        )
        .needs(Need::Root)
        .needs(v1("memory")),
        Test::new(
            "hybrid_host_joins_the_unified_hierarchy_without_writing_there",
            hybrid_host_joins_the_unified_hierarchy_without_writing_there,
        )
        .needs(Need::Root)
        .needs(v1("pids"))
        .needs(Need::Unified),
        // The VM tiers have no block device.
        Test::new(
            "blkio_throttles_are_written_one_entry_per_write",
            blkio_throttles_are_written_one_entry_per_write,
        )
        .needs(Need::Root)
        .needs(v1("blkio"))
        .needs(Need::Tier("host")),
        Test::new(
            "hugetlb_limit_and_reservation_limit_are_read_back",
            hugetlb_limit_and_reservation_limit_are_read_back,
        )
        .needs(Need::Root)
        .needs(v1("hugetlb")),
        Test::new(
            "net_cls_classid_and_net_prio_map_are_written",
            net_cls_classid_and_net_prio_map_are_written,
        )
        .needs(Need::Root)
        .needs(v1("net_cls"))
        .needs(v1("net_prio")),
        Test::new(
            "oom_killer_fires_in_a_small_memory_cgroup",
            oom_killer_fires_in_a_small_memory_cgroup,
        )
        .needs(Need::Root)
        .needs(Need::V1MemoryAttach),
    ])
}
