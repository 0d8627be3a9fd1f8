//! `cgctl run` with the default controllers (every mounted hierarchy, memory
//! included) on the v1 layouts of the VM tiers: hybrid (`vm-v1`), pure legacy without
//! cgroup2 (`vm-v1-legacy`) and `cpu,cpuacct` co-mounted behind symlinks
//! (`vm-v1-comount`). Joining a v1 memory cgroup is never allowed on the host, so
//! these tests need `V1MemoryAttach`.

mod common;

use common::{cgctl, ensure_exit, parent, text};
use ktest::mounts::Hierarchy;
use ktest::{Failed, Need, ensure, ensure_eq};

/// `run` with the cgroupfs driver: where systemd is the init system (the systemd VM
/// tiers) cgctl would pick the systemd driver, whose `--parent` is a slice.
fn run_cgroupfs<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run"];
    if std::path::Path::new("/run/systemd/system").is_dir() {
        args.extend(["--driver", "cgroupfs"]);
    }
    args.extend_from_slice(rest);
    args
}

/// The line of `/proc/self/cgroup` text that belongs to the v1 hierarchy `h`: its
/// controller list names exactly the controllers among `h`'s super options.
fn line_of<'a>(own: &'a str, h: &Hierarchy) -> Option<(&'a str, &'a str)> {
    own.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let all_mounted = controllers.split(',').all(|c| h.has_controller(c));
        (!controllers.is_empty() && all_mounted).then_some((controllers, path))
    })
}

fn default_run_joins_every_mounted_v1_hierarchy() -> Result<(), Failed> {
    let p = parent("e2e-layout");
    let rest = [
        "--parent",
        &p.name,
        "--memory",
        "64M",
        "--",
        "cat",
        "/proc/self/cgroup",
    ];
    let out = cgctl(&run_cgroupfs(&rest))?;
    ensure_exit("run", &out, 0)?;
    let own = text(&out.stdout);
    let v1: Vec<&Hierarchy> = ktest::mounts::hierarchies()
        .iter()
        .filter(|h| !h.unified)
        .collect();
    ensure!(
        v1.iter().any(|h| h.is_v1_memory()),
        "no v1 memory hierarchy"
    );
    for h in v1 {
        let (controllers, path) = line_of(&own, h)
            .ok_or_else(|| format!("no line for {}: {own}", h.mount_point.display()))?;
        let prefix = format!("/{}/run-", p.name);
        ensure!(path.starts_with(&prefix), "{controllers} not joined: {own}");
        let dir = h.mount_point.join(&path[1..]);
        ensure!(!dir.exists(), "{} left after the run", dir.display());
    }
    Ok(())
}

fn default_run_uses_the_comounted_cpu_hierarchy_once() -> Result<(), Failed> {
    let p = parent("e2e-comount");
    // The shell reads its limits through the `cpu` and `cpuacct` symlinks.
    let script = "d=$(sed -n 's/^[0-9]*:cpu,cpuacct:\\(.*\\)$/\\1/p' /proc/self/cgroup); \
                  echo \"dir=$d\"; cat /sys/fs/cgroup/cpu$d/cpu.shares \
                  /sys/fs/cgroup/cpuacct$d/cpu.cfs_quota_us; \
                  grep -qx $$ /sys/fs/cgroup/cpu,cpuacct$d/cgroup.procs && echo joined";
    let rest = [
        "--parent",
        &p.name,
        "--memory",
        "64M",
        "--cpu-shares",
        "300",
        "--cpus",
        "0.5",
        "--",
        "sh",
        "-c",
        script,
    ];
    let out = cgctl(&run_cgroupfs(&rest))?;
    ensure_exit("run", &out, 0)?;
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    let dir = lines
        .next()
        .and_then(|l| l.strip_prefix("dir="))
        .unwrap_or("");
    ensure!(dir.starts_with(&format!("/{}/run-", p.name)), "{stdout}");
    let rest: Vec<&str> = lines.take(3).collect();
    ensure_eq!(rest, ["300", "50000", "joined"], "{stdout}");
    let dir = ktest::mounts::v1_hierarchy("cpuacct")
        .ok_or("no v1 cpuacct")?
        .mount_point
        .join(&dir[1..]);
    ensure!(!dir.exists(), "{} left after the run", dir.display());
    Ok(())
}

fn main() {
    let attach = [
        Need::Root,
        Need::V1Controller("memory"),
        Need::V1MemoryAttach,
    ];
    let comount = [&attach[..], &[Need::V1Comounted("cpu", "cpuacct")]].concat();
    let mut tests = ktest::tests_needing(
        &attach,
        &[(
            "default_run_joins_every_mounted_v1_hierarchy",
            default_run_joins_every_mounted_v1_hierarchy,
        )],
    );
    tests.extend(ktest::tests_needing(
        &comount,
        &[(
            "default_run_uses_the_comounted_cpu_hierarchy_once",
            default_run_uses_the_comounted_cpu_hierarchy_once,
        )],
    ));
    ktest::main(tests)
}
