//! Processes in the cgroup: freeze, kill, destroy, unified membership, OOM.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use cgroups_core::{FreezerState, Limit, Manager, Resources};
use ktest::{Failed, ensure, ensure_eq};

use crate::fixture::{ALLOCATE_ENV, Fixture, start, wait_for};

pub fn frozen_child_stops_its_heartbeat_until_thawed() -> Result<(), Failed> {
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

pub fn kill_empties_a_cgroup_running_a_fork_loop(
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

pub fn destroy_leaves_no_directory_in_any_hierarchy() -> Result<(), Failed> {
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

pub fn hybrid_host_joins_the_unified_hierarchy_without_writing_there() -> Result<(), Failed> {
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

pub fn oom_killer_fires_in_a_small_memory_cgroup() -> Result<(), Failed> {
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

/// Child mode: wait for a line on stdin, then allocate and touch `mib` MiB.
pub fn allocate_and_exit(mib: &str) -> ! {
    let mib: usize = mib.parse().unwrap_or(0);
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    let mut blocks = Vec::new();
    for _ in 0..mib {
        blocks.push(vec![1u8; 1024 * 1024]);
    }
    std::process::exit(i32::from(blocks.len() != mib))
}
