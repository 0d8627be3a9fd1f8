//! Real-kernel tests of device rules on cgroup v2 (ktest harness): the eBPF filter
//! attached to a cgroup of the unified hierarchy (on this hybrid host
//! `/sys/fs/cgroup/unified`, which accepts device programs although no controller is
//! enabled) makes `/dev/null` fail with EPERM while `/dev/zero` opens, through 1,000
//! rule swaps with and without `BPF_F_REPLACE`; destroying the cgroup leaves no
//! program behind.
//!
//! Processes join only the test cgroup of the unified hierarchy (never a v1 memory
//! cgroup); each test works in its own `cgtest-*` cgroup, removed on drop.
// Tests read /proc directly.
#![allow(clippy::disallowed_methods)]

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use cgroups_core::{CgroupPath, Config, Manager, Resources};
use cgroups_fs2::Fs2Manager;
use devices::Rule;
use devices::ebpf::{self, testing};
use ktest::prober::{self, Prober};
use ktest::{CleanupGuard, Failed, Need, Test, TestCgroup, ensure, ensure_eq};

const EPERM: i32 = 1;

struct Case {
    m: Fs2Manager,
    _guard: CleanupGuard,
}

impl Case {
    fn new(tag: &str) -> Result<Case, Failed> {
        let mount = ktest::mounts::unified_hierarchy()
            .ok_or("no cgroup2 mount")?
            .mount_point
            .clone();
        ktest::assert_cgroupfs(&mount)?;
        let name = TestCgroup::name_for(tag);
        let guard = ktest::cleanup_guard(vec![mount.join(&name)]);
        let m = Fs2Manager::new(Config::new(CgroupPath::parse(&format!("/{name}"))?))?;
        m.create()?;
        ktest::assert_cgroupfs(&m.dir_path())?;
        Ok(Case { m, _guard: guard })
    }

    fn set_rules(&self, rules: &[(&str, bool)]) -> Result<(), Failed> {
        let mut parsed = Vec::new();
        for (text, allow) in rules {
            parsed.push(Rule::parse(text, *allow)?);
        }
        let mut r = Resources::default();
        r.devices = Some(parsed);
        self.m.set(&r)?;
        Ok(())
    }

    fn dir_fd(&self) -> Result<OwnedFd, Failed> {
        Ok(self.m.cgroup2_dir_fd().ok_or("no cgroup2 dir fd")??)
    }

    /// Our programs attached to the cgroup.
    fn ours(&self) -> Result<Vec<u32>, Failed> {
        let all = ebpf::attached_programs(self.dir_fd()?.as_fd())?;
        Ok(all.iter().filter(|p| p.ours).map(|p| p.id).collect())
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = self.m.kill_and_destroy();
    }
}

fn open_errnos(case: &Case) -> Result<(i32, i32), Failed> {
    Prober::once_in(|pid| case.m.add_pid(pid))
}

fn ebpf_filter_refuses_dev_null_with_eperm_and_opens_dev_zero() -> Result<(), Failed> {
    let case = Case::new("bpfnull")?;
    ensure_eq!(open_errnos(&case)?, (0, 0), "before any rule");
    case.set_rules(&[("a", true), ("c 1:3 rwm", false)])?;
    ensure_eq!(case.ours()?.len(), 1);
    ensure_eq!(open_errnos(&case)?, (EPERM, 0), "deny list");
    case.set_rules(&[("c 1:5 rwm", true)])?;
    ensure_eq!(case.ours()?.len(), 1);
    ensure_eq!(open_errnos(&case)?, (EPERM, 0), "allow list");
    // Read-only /dev/zero: the prober opens for reading only.
    case.set_rules(&[("c 1:5 r", true)])?;
    ensure_eq!(open_errnos(&case)?, (EPERM, 0), "read-only allow list");
    case.set_rules(&[("c 1:5 w", true)])?;
    ensure_eq!(open_errnos(&case)?, (EPERM, EPERM), "write-only allow list");
    // Allowing everything detaches the filter.
    case.set_rules(&[("a", true)])?;
    ensure_eq!(case.ours()?, Vec::<u32>::new());
    ensure_eq!(open_errnos(&case)?, (0, 0), "allow all");
    Ok(())
}

fn thousand_swaps_never_open_null_nor_lose_zero(no_replace: bool) -> Result<(), Failed> {
    testing::force_no_replace(no_replace);
    let case = Case::new(if no_replace { "bpfswapnr" } else { "bpfswap" })?;
    // An allow list and a deny list: both deny /dev/null and allow reading /dev/zero.
    let allow: &[(&str, bool)] = &[("c 1:5 r", true), ("c 1:7 rwm", true), ("c 136:* rw", true)];
    let deny: &[(&str, bool)] = &[("a", true), ("c 1:3 rwm", false), ("c 1:5 wm", false)];
    case.set_rules(allow)?;
    let what = if no_replace {
        "eBPF swaps (attach+detach)"
    } else {
        "eBPF swaps (BPF_F_REPLACE)"
    };
    let tally = prober::swap_while_probing(
        what,
        |pid| case.m.add_pid(pid),
        |i| case.set_rules(if i % 2 == 0 { deny } else { allow }),
    )?;
    tally.ensure_null_refused_zero_opened()?;
    ensure_eq!(case.ours()?.len(), 1, "programs of ours after the swaps");
    testing::force_no_replace(false);
    Ok(())
}

fn destroy_leaves_no_program_attached() -> Result<(), Failed> {
    let case = Case::new("bpfdestroy")?;
    case.set_rules(&[("c 1:5 rwm", true)])?;
    let ours = case.ours()?;
    ensure_eq!(ours.len(), 1);
    let mut p = Prober::spawn("once")?;
    case.m.add_pid(p.pid())?;
    ensure_eq!(p.once()?, (EPERM, 0), "the filter was not in force");
    drop(p);
    case.m.kill_and_destroy()?;
    ensure!(!case.m.dir_path().exists(), "the cgroup survived destroy");
    // Detached before the removal; the kernel frees it once the last reference goes.
    let start = Instant::now();
    while ebpf::program_exists(ours[0])? {
        ensure!(
            start.elapsed() < Duration::from_secs(10),
            "program {} still exists 10 s after destroy",
            ours[0]
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

fn main() {
    prober::run_if_asked();
    let t = |name: &str, f: Box<dyn FnOnce() -> Result<(), Failed> + Send>| {
        Test::new(name, f).needs(Need::Root).needs(Need::Unified)
    };
    ktest::main(vec![
        t(
            "ebpf_filter_refuses_dev_null_with_eperm_and_opens_dev_zero",
            Box::new(ebpf_filter_refuses_dev_null_with_eperm_and_opens_dev_zero),
        ),
        t(
            "thousand_swaps_with_replace_never_open_null_nor_lose_zero",
            Box::new(|| thousand_swaps_never_open_null_nor_lose_zero(false)),
        ),
        t(
            "thousand_swaps_without_replace_never_open_null_nor_lose_zero",
            Box::new(|| thousand_swaps_never_open_null_nor_lose_zero(true)),
        ),
        t(
            "destroy_leaves_no_program_attached",
            Box::new(destroy_leaves_no_program_attached),
        ),
    ])
}
