//! Real-kernel tests of the v1 driver on this machine's hierarchies.
//!
//! Every test works in uniquely named `cgtest-*` cgroups, checks that they are on
//! cgroupfs, puts only its own children in them, and removes them (a fixture that
//! kills and destroys on drop, plus ktest's cleanup guard). On this hybrid host no
//! process is ever moved into a v1 memory cgroup: such tests need
//! `Need::V1MemoryAttach` and run in the v1 VM tier.
// Tests read kernel files directly to check what the driver wrote.
#![allow(clippy::disallowed_methods)]

mod comount;
mod fixture;
mod guards;
mod lifecycle;
mod limits;

use comount::*;
use fixture::ALLOCATE_ENV;
use guards::*;
use ktest::{Need, Test};
use lifecycle::*;
use limits::*;

fn main() {
    if let Ok(mib) = std::env::var(ALLOCATE_ENV) {
        allocate_and_exit(&mib);
    }
    if let Ok(path) = std::env::var(KILL_SELF_ENV) {
        kill_self_and_exit(&path);
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
            "kill_and_destroy_pass_a_sub_cgroup_whose_name_is_not_utf8",
            kill_and_destroy_pass_a_sub_cgroup_whose_name_is_not_utf8,
        )
        .needs(Need::Root)
        .needs(v1("cpu"))
        .needs(v1("freezer"))
        .needs(v1("pids")),
        Test::new(
            "kill_is_refused_when_the_caller_is_inside",
            kill_is_refused_when_the_caller_is_inside,
        )
        .needs(Need::Root)
        .needs(v1("freezer"))
        .needs(v1("pids")),
        Test::new(
            "comounted_cpu_and_cpuacct_share_one_directory",
            comounted_cpu_and_cpuacct_share_one_directory,
        )
        .needs(Need::Root)
        .needs(Need::V1Comounted("cpu", "cpuacct")),
        Test::new(
            "comounted_net_cls_and_net_prio_share_one_directory",
            comounted_net_cls_and_net_prio_share_one_directory,
        )
        .needs(Need::Root)
        .needs(Need::V1Comounted("net_cls", "net_prio")),
        Test::new(
            "oom_killer_fires_in_a_small_memory_cgroup",
            oom_killer_fires_in_a_small_memory_cgroup,
        )
        .needs(Need::Root)
        .needs(Need::V1MemoryAttach),
    ])
}
