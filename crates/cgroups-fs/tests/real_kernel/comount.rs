//! The RHEL 7 / systemd legacy layout (tier `vm-v1-comount`): `cpu` and `cpuacct`
//! bound to one hierarchy mounted at `cpu,cpuacct`, with `cpu` and `cpuacct`
//! symlinks to it. The driver must treat the pair as one directory.

use std::time::Duration;

use cgroups_core::{CpuQuota, Hierarchies, Manager, Resources};
use ktest::{Failed, ensure, ensure_eq};

use crate::fixture::{Fixture, start, wait_for};

pub fn comounted_cpu_and_cpuacct_share_one_directory() -> Result<(), Failed> {
    // Discovery: both controllers map to the one mount, found by type, not by the
    // symlinked names.
    let h = Hierarchies::detect()?;
    let cpu = h.v1("cpu").ok_or("no v1 cpu hierarchy")?;
    let acct = h.v1("cpuacct").ok_or("no v1 cpuacct hierarchy")?;
    ensure_eq!(cpu.mount_point, acct.mount_point);
    ensure!(
        cpu.controllers.iter().any(|c| c == "cpu")
            && cpu.controllers.iter().any(|c| c == "cpuacct"),
        "{:?}",
        cpu.controllers
    );
    let with_cpu = h
        .v1_all()
        .iter()
        .filter(|x| x.mount_point == cpu.mount_point);
    ensure_eq!(with_cpu.count(), 1, "the co-mount is one hierarchy");

    // Selecting cpu alone gives the cpuacct path too: one hierarchy created and joined.
    let mut f = Fixture::new("comount", Some(&["cpu"]), "")?;
    f.create()?;
    let paths = f.m.paths();
    let dir = f.path("cpu")?;
    ensure_eq!(paths.get("cpuacct"), Some(&dir), "{paths:?}");
    ensure!(dir.starts_with(&cpu.mount_point), "{}", dir.display());
    ensure_eq!(
        f.m.procs_files()?.len(),
        1,
        "one cgroup.procs for one hierarchy"
    );

    let mut r = Resources::default();
    r.cpu.shares = Some(256);
    r.cpu.quota = Some(CpuQuota::Micros(50_000));
    f.m.set(&r)?;
    ensure_eq!(f.read("cpu", "cpu.shares")?, "256");
    ensure_eq!(f.read("cpuacct", "cpu.cfs_quota_us")?, "50000");

    let (pid, mut go) = f.spawn_joined("while :; do :; done")?;
    ensure_eq!(
        f.read("cpu", "cgroup.procs")?,
        pid.to_string(),
        "joined once"
    );
    start(&mut go)?;
    wait_for("cpuacct.usage to grow", Duration::from_secs(20), || {
        f.read("cpuacct", "cpuacct.usage")
            .is_ok_and(|u| u.parse::<u64>().is_ok_and(|n| n > 0))
    })?;
    // The symlinked name reaches the same cgroup.
    let name = dir.file_name().ok_or("no cgroup name")?;
    let via_link = cpu.mount_point.with_file_name("cpuacct").join(name);
    ensure_eq!(
        std::fs::canonicalize(&via_link)?,
        std::fs::canonicalize(&dir)?
    );

    f.m.kill()?;
    f.reap();
    f.m.destroy()?;
    ensure!(!dir.exists(), "{} survived destroy", dir.display());
    ensure!(!f.m.exists(), "exists() after destroy");
    // A second destroy finds nothing to remove and is not an error.
    f.m.destroy()?;
    Ok(())
}

pub fn comounted_net_cls_and_net_prio_share_one_directory() -> Result<(), Failed> {
    let f = Fixture::new("comount-net", Some(&["net_prio"]), "")?;
    f.create()?;
    let dir = f.path("net_prio")?;
    ensure_eq!(f.m.paths().get("net_cls"), Some(&dir));
    let mut r = Resources::default();
    r.network.class_id = Some(0x10_0001);
    f.m.set(&r)?;
    ensure_eq!(f.read("net_prio", "net_cls.classid")?, "1048577");
    f.m.destroy()?;
    ensure!(!dir.exists(), "{} survived destroy", dir.display());
    Ok(())
}
