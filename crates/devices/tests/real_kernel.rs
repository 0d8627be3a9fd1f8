//! Real-kernel tests of the eBPF device filter API on cgroups of the cgroup2
//! hierarchy (on a hybrid host: `/sys/fs/cgroup/unified`, where device programs can
//! be attached although no controller is enabled). The enforcement itself (a process
//! that cannot open `/dev/null`) is tested through the drivers, in `cgroups-fs2`.
//!
//! Every test works in its own `cgtest-*` cgroup, removed on drop; no process is
//! moved anywhere. The host device walk runs on a tree of device nodes made with
//! mknod(2) in a temp dir, and on the real `/dev`.
// Tests read /proc and build fixture trees directly.
#![allow(clippy::disallowed_methods)]

#[path = "real_kernel/host.rs"]
mod host;
#[path = "real_kernel/verifier.rs"]
mod verifier;

use std::os::fd::{AsFd, OwnedFd};

use devices::ebpf::{self, DeviceFilter, testing};
use devices::{Emulator, Rule};
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};
use rustix::fs::{Mode, OFlags};

fn dir_fd(cg: &TestCgroup) -> Result<OwnedFd, Failed> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(rustix::fs::open(cg.path(), flags, Mode::empty())?)
}

fn filter(rules: &[(&str, bool)]) -> Result<DeviceFilter, Failed> {
    let mut parsed = Vec::new();
    for (text, allow) in rules {
        parsed.push(Rule::parse(text, *allow)?);
    }
    Ok(DeviceFilter::new(&Emulator::from_rules(&parsed)?)?)
}

fn ours(dir: &OwnedFd) -> Result<Vec<u32>, Failed> {
    let all = ebpf::attached_programs(dir.as_fd())?;
    Ok(all.iter().filter(|p| p.ours).map(|p| p.id).collect())
}

/// The fds of this process that hold one of the programs `ids` (fdinfo's
/// `prog_id`); other tests run in parallel threads, so a plain count would race.
fn fds_holding(ids: &[u32]) -> Result<Vec<String>, Failed> {
    let mut held = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fdinfo")? {
        let entry = entry?;
        let Ok(info) = std::fs::read_to_string(entry.path()) else {
            continue; // closed meanwhile
        };
        let prog = info
            .lines()
            .find_map(|l| l.strip_prefix("prog_id:"))
            .and_then(|v| v.trim().parse::<u32>().ok());
        if prog.is_some_and(|id| ids.contains(&id)) {
            held.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(held)
}

fn updates_keep_exactly_one_program_of_ours(no_replace: bool) -> Result<(), Failed> {
    testing::force_no_replace(no_replace);
    let cg = TestCgroup::new_unified("bpfswap")?;
    let dir = dir_fd(&cg)?;
    let mut previous = None;
    let mut ids = Vec::new();
    for rules in [
        &[("c 1:5 rwm", true)][..],
        &[("a", true), ("c 1:3 rwm", false)],
        &[("c 1:5 r", true), ("c 1:7 rwm", true)],
    ] {
        let applied = ebpf::apply(dir.as_fd(), &filter(rules)?)?;
        let id = applied.attached.ok_or("nothing attached")?;
        ensure_eq!(ours(&dir)?, vec![id]);
        let atomic = !no_replace && ebpf::replace_supported() && previous.is_some();
        ensure_eq!(applied.replaced_atomically, atomic);
        ensure_eq!(applied.detached, previous.into_iter().collect::<Vec<u32>>());
        if let Some(old) = previous {
            ensure!(
                !ebpf::program_exists(old)?,
                "old program {old} still exists"
            );
        }
        previous = Some(id);
        ids.push(id);
    }
    ensure_eq!(fds_holding(&ids)?, Vec::<String>::new(), "bpf fds leaked");
    testing::force_no_replace(false);
    Ok(())
}

fn replace_is_supported_on_this_kernel() -> Result<(), Failed> {
    // Linux 5.6 and later; the machines here run 6.1 to 6.18.
    ensure!(
        ebpf::replace_supported(),
        "BPF_F_REPLACE probe said unsupported"
    );
    Ok(())
}

fn programs_of_other_tools_are_never_detached() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("bpfforeign")?;
    let dir = dir_fd(&cg)?;
    let allow_all = filter(&[("a", true)])?;
    let foreign = testing::attach_foreign(dir.as_fd(), &allow_all, "sd_devices")?;
    let first = ebpf::apply(dir.as_fd(), &filter(&[("c 1:5 rwm", true)])?)?;
    let second = ebpf::apply(dir.as_fd(), &filter(&[("c 1:3 rwm", true)])?)?;
    let listed = ebpf::attached_programs(dir.as_fd())?;
    let ids: Vec<(u32, bool)> = listed.iter().map(|p| (p.id, p.ours)).collect();
    let new = second.attached.ok_or("nothing attached")?;
    ensure!(
        ids.contains(&(foreign, false)),
        "foreign program gone: {listed:?}"
    );
    ensure!(ids.contains(&(new, true)), "{listed:?}");
    ensure_eq!(ids.len(), 2, "{listed:?} (first was {:?})", first.attached);
    let name = &listed.iter().find(|p| p.id == new).ok_or("?")?.name;
    ensure!(name.starts_with("cgdev_"), "{name}");
    // Allow-all detaches ours only.
    let applied = ebpf::apply(dir.as_fd(), &allow_all)?;
    ensure_eq!(applied.attached, None);
    ensure_eq!(applied.detached, vec![new]);
    let left: Vec<u32> = ebpf::attached_programs(dir.as_fd())?
        .iter()
        .map(|p| p.id)
        .collect();
    ensure_eq!(left, vec![foreign]);
    ensure_eq!(ebpf::detach_ours(dir.as_fd())?, Vec::<u32>::new());
    Ok(())
}

fn loaded_program_fds_are_close_on_exec() -> Result<(), Failed> {
    let prog = testing::load(&filter(&[("c 1:5 rwm", true)])?)?;
    let flags = rustix::io::fcntl_getfd(&prog)?;
    ensure!(flags.contains(rustix::io::FdFlags::CLOEXEC), "{flags:?}");
    // The leak check above relies on fdinfo naming the program.
    use std::os::fd::AsRawFd;
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", prog.as_raw_fd()))?;
    let id = info.lines().find_map(|l| l.strip_prefix("prog_id:"));
    let id: u32 = id.ok_or(format!("no prog_id in {info}"))?.trim().parse()?;
    ensure_eq!(fds_holding(&[id])?, vec![prog.as_raw_fd().to_string()]);
    Ok(())
}

fn removing_the_cgroup_releases_our_program() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("bpfrelease")?;
    let dir = dir_fd(&cg)?;
    let id = ebpf::apply(dir.as_fd(), &filter(&[("c 1:5 rwm", true)])?)?
        .attached
        .ok_or("nothing attached")?;
    ensure!(ebpf::program_exists(id)?, "program {id} missing");
    drop(dir);
    cg.remove()?;
    // The kernel releases a removed cgroup's programs asynchronously.
    let start = std::time::Instant::now();
    while ebpf::program_exists(id)? {
        ensure!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "program {id} outlived its cgroup by 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(())
}

fn main() {
    let t = |name: &str, f: fn() -> Result<(), Failed>| {
        Test::new(name, f).needs(Need::Root).needs(Need::Unified)
    };
    ktest::main(vec![
        t(
            "replace_is_supported_on_this_kernel",
            replace_is_supported_on_this_kernel,
        ),
        t(
            "updates_keep_exactly_one_program_of_ours_with_replace",
            || updates_keep_exactly_one_program_of_ours(false),
        ),
        t(
            "updates_keep_exactly_one_program_of_ours_without_replace",
            || updates_keep_exactly_one_program_of_ours(true),
        ),
        t(
            "programs_of_other_tools_are_never_detached",
            programs_of_other_tools_are_never_detached,
        ),
        t(
            "loaded_program_fds_are_close_on_exec",
            loaded_program_fds_are_close_on_exec,
        ),
        t(
            "removing_the_cgroup_releases_our_program",
            removing_the_cgroup_releases_our_program,
        ),
        t(
            "exit_without_setting_r0_is_rejected_with_the_verifier_log",
            verifier::exit_without_setting_r0_is_rejected_with_the_verifier_log,
        ),
        t(
            "long_verifier_log_is_kept_by_its_end",
            verifier::long_verifier_log_is_kept_by_its_end,
        ),
        Test::new(
            "device_walk_lists_nodes_and_skips_links_fifos_and_pseudo_dirs",
            host::device_walk_lists_nodes_and_skips_links_fifos_and_pseudo_dirs,
        )
        .needs(Need::Root),
        Test::new(
            "host_dev_lists_null_and_only_devices",
            host::host_dev_lists_null_and_only_devices,
        ),
    ])
}
