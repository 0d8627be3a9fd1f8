//! `memory.swap.max` where swap is on (the `vm-v2` tier swaps on a scratch disk): a
//! child holding 64 MiB in a 32 MiB cgroup is OOM-killed without swap and swaps
//! with it.

use std::time::Duration;

use cgroups_core::{Limit, Manager};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

use crate::common::{case, memory_limit};
use crate::kids::{Kids, Mode, wait_until};

pub fn tests() -> Vec<Test> {
    vec![
        Test::new(
            "swap_max_zero_oom_kills_a_hog_that_swap_max_max_lets_swap",
            swap_max_decides_between_oom_kill_and_swapping,
        )
        .needs(Need::Swap)
        .needs(Need::Root)
        .needs(Need::V2Controller("memory")),
    ]
}

/// The `oom_kill` count of a `memory.events` text.
fn oom_kills(events: &str) -> Option<u64> {
    events
        .lines()
        .find_map(|l| l.strip_prefix("oom_kill "))
        .and_then(|n| n.parse().ok())
}

fn swap_max_decides_between_oom_kill_and_swapping() -> Result<(), Failed> {
    let c = case("swap")?;
    let mut kids = Kids::default();

    // memory + swap equal to memory: memory.swap.max = 0.
    let no_swap = c.manager("noswap")?;
    let mut r = memory_limit(32 << 20);
    r.memory.memory_and_swap_bytes = Some(Limit::Value(32 << 20));
    no_swap.create_with(&r)?;
    no_swap.set(&r)?;
    ensure_eq!(c.read("noswap", "memory.swap.max")?, "0");
    let (pid, _) = kids.spawn(Mode::Hog64, "noswap")?;
    no_swap.add_pid(pid)?;
    ensure_eq!(
        kids.wait_signal(pid)?,
        Some(9),
        "the hog was not OOM-killed"
    );
    let events = c.read("noswap", "memory.events")?;
    ensure!(oom_kills(&events).is_some_and(|n| n >= 1), "{events}");
    ensure_eq!(no_swap.oom_kill_count()?, oom_kills(&events).unwrap_or(0));

    // Unlimited swap: the same hog pushes 32 MiB or more out and lives.
    let swapping = c.manager("swapping")?;
    let mut r = memory_limit(32 << 20);
    r.memory.memory_and_swap_bytes = Some(Limit::Max);
    swapping.create_with(&r)?;
    swapping.set(&r)?;
    ensure_eq!(c.read("swapping", "memory.swap.max")?, "max");
    let (pid, counter) = kids.spawn(Mode::Hog64, "swapping")?;
    swapping.add_pid(pid)?;
    wait_until(Duration::from_secs(60), "the hog to hold 64 MiB", || {
        counter.lines() >= 1
    })?;
    let swapped: u64 = c.read("swapping", "memory.swap.current")?.parse()?;
    ensure!(
        swapped > 0,
        "memory.swap.current is 0 with a 64 MiB hog in 32 MiB"
    );
    let events = c.read("swapping", "memory.events")?;
    ensure_eq!(oom_kills(&events), Some(0), "{events}");
    ensure_eq!(
        swapping.pids()?,
        vec![pid],
        "the hog is alive in its cgroup"
    );
    c.manager("")?.kill_and_destroy()?;
    Ok(())
}
