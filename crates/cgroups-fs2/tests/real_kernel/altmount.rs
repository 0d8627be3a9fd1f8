//! cgroup2 mounted somewhere else than `/sys/fs/cgroup`: a child of the test, in a
//! private mount namespace (busybox `unshare -m --propagation private`), unmounts
//! `/sys/fs/cgroup`, mounts cgroup2 at `/tmp/cgtest-alt-<pid>` and drives discovery,
//! the driver and `cgctl run` there. It is this binary re-executed (fresh discovery
//! caches) and reports through its exit status and stderr.

// The child makes its own mount point, reads the kernel files through the other
// mount directly, and reports on stdout and stderr.
#![allow(clippy::disallowed_methods, clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use cgroups_core::{CgroupMode, CgroupPath, Config, Hierarchies, Limit, Manager, Resources};
use cgroups_fs2::Fs2Manager;
use ktest::{Failed, Need, Test, ensure, ensure_eq};
use rustix::mount::{MountFlags, UnmountFlags};

use crate::common::case;

/// The child mode: the value is the name of the test's cgroup.
const ALT_ENV: &str = "FS2_ALT_MOUNT_CGROUP";

pub fn tests() -> Vec<Test> {
    vec![
        Test::new(
            "cgroup2_mounted_elsewhere_is_discovered_and_driven",
            cgroup2_mounted_elsewhere_is_discovered_and_driven,
        )
        .needs(Need::Root)
        .needs(Need::V2Controller("pids"))
        // Mounts cgroup2 (in a private mount namespace): only in the pure v2 VM.
        .needs(Need::Tier("vm-v2")),
    ]
}

fn cgroup2_mounted_elsewhere_is_discovered_and_driven() -> Result<(), Failed> {
    let c = case("alt")?;
    let exe = std::env::current_exe()?;
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private"])
        .arg(&exe)
        .env(ALT_ENV, &c.name)
        .stdin(Stdio::null())
        .output()?;
    let said = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.success(),
        "the child failed ({}): {said}",
        out.status
    );
    ensure_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "alt-mount-ok",
        "{said}"
    );
    // Everything the child made below the other mount point is gone here too.
    ensure!(!c.exists("")?, "{} was left", c.name);
    Ok(())
}

/// Runs the child mode if asked (before ktest): exits 0 printing `alt-mount-ok`, or
/// 1 with the reason on stderr.
pub fn run_child_mode_if_asked() {
    let Ok(name) = std::env::var(ALT_ENV) else {
        return;
    };
    let mount = PathBuf::from(format!("/tmp/cgtest-alt-{}", std::process::id()));
    let result = remount(&mount).and_then(|()| drive(&mount, &name));
    let _ = rustix::mount::unmount(&mount, UnmountFlags::DETACH);
    let _ = std::fs::remove_dir(&mount);
    match result {
        Ok(()) => {
            println!("alt-mount-ok");
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("{}", e.message().unwrap_or("failed"));
            std::process::exit(1);
        }
    }
}

/// `/sys/fs/cgroup` unmounted, cgroup2 at `mount` (this mount namespace only).
fn remount(mount: &Path) -> Result<(), Failed> {
    rustix::mount::unmount("/sys/fs/cgroup", UnmountFlags::DETACH)
        .map_err(|e| format!("umount /sys/fs/cgroup: {e}"))?;
    std::fs::create_dir(mount)?;
    rustix::mount::mount("cgroup2", mount, "cgroup2", MountFlags::empty(), None)
        .map_err(|e| format!("mount cgroup2 at {}: {e}", mount.display()))?;
    Ok(())
}

fn drive(mount: &Path, name: &str) -> Result<(), Failed> {
    let found = Hierarchies::detect()?;
    ensure_eq!(found.mode(), CgroupMode::Unified);
    ensure_eq!(found.unified_mount(), Some(mount));
    ensure!(
        !Path::new("/sys/fs/cgroup/cgroup.procs").exists(),
        "old mount still there"
    );

    let job = format!("/{name}/job");
    let m = Fs2Manager::new(Config::new(CgroupPath::parse(&job)?))?;
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(16));
    m.create_with(&r)?;
    m.set(&r)?;
    ensure!(
        m.dir_path().starts_with(mount),
        "{}",
        m.dir_path().display()
    );
    let dir = mount.join(&job[1..]);
    ensure_eq!(std::fs::read_to_string(dir.join("pids.max"))?.trim(), "16");

    let mut sleeper = Command::new("sleep").arg("30").spawn()?;
    let joined = m.add_pid(sleeper.id());
    let procs = std::fs::read_to_string(dir.join("cgroup.procs"));
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    joined?;
    ensure_eq!(procs?.trim(), sleeper.id().to_string());
    let parent = Fs2Manager::new(Config::new(CgroupPath::parse(&format!("/{name}"))?))?;
    wait_empty(&m)?;
    parent.destroy()?;
    ensure!(!dir.exists(), "{} survived destroy", dir.display());

    cgctl_runs_below(mount, name)
}

fn wait_empty(m: &Fs2Manager) -> Result<(), Failed> {
    for _ in 0..200 {
        if m.pids()?.is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err("the killed sleeper is still in the cgroup".into())
}

/// `cgctl run` (the VM's `CGCTL_BIN`) with a pids limit: its command sees the limit
/// through the other mount point, and nothing is left afterwards.
fn cgctl_runs_below(mount: &Path, name: &str) -> Result<(), Failed> {
    let cgctl = std::env::var_os("CGCTL_BIN").ok_or("CGCTL_BIN is not set")?;
    let script = format!(
        "d=$(sed -n 's/^0:://p' /proc/self/cgroup); cat {}$d/pids.max",
        mount.display()
    );
    let parent = format!("/{name}");
    let out = Command::new(cgctl)
        .args([
            "run", "--parent", &parent, "--pids", "7", "--", "sh", "-c", &script,
        ])
        .output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    ensure_eq!(out.status.code(), Some(0), "cgctl run: {err}");
    ensure_eq!(String::from_utf8_lossy(&out.stdout).trim(), "7", "{err}");
    ensure!(
        !mount.join(name).exists(),
        "cgctl left {name} below {}",
        mount.display()
    );
    Ok(())
}
