//! Real-kernel tests of the cgroup v2 driver (ktest harness).
//!
//! On a hybrid host (cgroup2 at `/sys/fs/cgroup/unified`, no controller enabled for
//! children) the tests of `host.rs` run: creation and removal, freeze and thaw, kill
//! through `cgroup.kill` and through the freeze + SIGKILL fallback, threaded
//! subtrees, unified core keys, the directory fd, and the refusal of limits whose
//! controller the root does not delegate. The tests of `controllers.rs` need
//! controllers enabled below the cgroup2 root and run in the pure v2 VM tier.
//!
//! Every test works in its own `cgtest-<pid>-<tag>-<n>` cgroup, removed by a guard
//! also on failure; child processes are this binary re-executed in a child mode.

#[path = "real_kernel/altmount.rs"]
mod altmount;
#[path = "real_kernel/common.rs"]
mod common;
#[path = "real_kernel/controllers.rs"]
mod controllers;
#[path = "real_kernel/host.rs"]
mod host;
#[path = "real_kernel/io.rs"]
mod io;
#[path = "real_kernel/kids.rs"]
mod kids;
#[path = "real_kernel/kill.rs"]
mod kill;
#[path = "real_kernel/swap.rs"]
mod swap;

fn main() {
    kids::run_child_mode_if_asked();
    altmount::run_child_mode_if_asked();
    let mut tests = host::tests();
    tests.extend(controllers::tests());
    tests.extend(io::tests());
    tests.extend(swap::tests());
    tests.extend(altmount::tests());
    let unified = |test: ktest::Test| test.needs(ktest::Need::Root).needs(ktest::Need::Unified);
    tests.push(
        unified(ktest::Test::new(
            "cgroup_kill_and_destroy_pass_a_sub_cgroup_whose_name_is_not_utf8",
            kill::cgroup_kill_past_a_raw_name,
        ))
        .needs(ktest::Need::UnifiedFile("cgroup.kill")),
    );
    tests.push(
        unified(ktest::Test::new(
            "kill_fallback_and_destroy_pass_a_sub_cgroup_whose_name_is_not_utf8",
            kill::kill_fallback_past_a_raw_name,
        ))
        .needs(ktest::Need::UnifiedFile("cgroup.freeze")),
    );
    ktest::main(tests);
}
