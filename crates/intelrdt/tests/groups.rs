//! The CLOS group manager on fake resctrl trees: create or join, schemata, tasks,
//! monitoring, destroy and its ownership rules (reference §9, field case C33).

mod common;

use common::FakeTree;
use intelrdt::{Counter, ErrorKind, Manager, RdtConfig, Resource};

fn config(clos_id: Option<&str>, l3: Option<&str>, monitoring: bool) -> RdtConfig {
    let mut config = RdtConfig::default();
    config.clos_id = clos_id.map(str::to_owned);
    config.l3_cache_schema = l3.map(str::to_owned);
    config.enable_monitoring = monitoring;
    config
}

fn manager(tree: &FakeTree, id: &str, config: RdtConfig) -> Manager {
    Manager::new(tree.open(), id, config).unwrap()
}

#[test]
fn c33_d_named_group_without_schema_must_exist() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(Some("missing-grp"), None, false));
    let err = m.apply().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::GroupNotFound, "{err}");
    assert_eq!(err.value(), Some("missing-grp"));
    assert!(!tree.exists("missing-grp"));
    assert!(!tree.exists("ctr1"));
}

#[test]
fn named_group_without_schema_is_joined_when_it_exists() {
    let tree = FakeTree::full();
    tree.write("shared-grp/tasks", "");
    let mut m = manager(&tree, "ctr1", config(Some("shared-grp"), None, false));
    m.apply().unwrap();
    m.add_task(77).unwrap();
    assert_eq!(tree.read("shared-grp/tasks"), "77");
    assert!(!m.created_group());
}

#[test]
fn group_with_l3_schema_is_created_with_schemata_and_tasks() {
    let tree = FakeTree::full();
    let mut m = manager(
        &tree,
        "ctr1",
        config(Some("clos-l3"), Some("L3:0=f0;1=f"), false),
    );
    m.apply().unwrap();
    m.set().unwrap();
    m.add_task(1234).unwrap();
    assert!(m.created_group());
    assert_eq!(m.path(), tree.join("clos-l3"));
    assert_eq!(tree.read("clos-l3/tasks"), "1234");
    assert_eq!(tree.read("clos-l3/schemata"), "L3:0=f0;1=f\n");
    assert_eq!(m.tasks().unwrap(), [1234]);
}

#[test]
fn c33_c_own_group_we_created_is_removed_on_destroy() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=f0;1=f"), true));
    m.apply().unwrap();
    m.set().unwrap();
    m.add_task(1234).unwrap();
    assert!(tree.exists("ctr1/mon_groups/ctr1/tasks"));
    m.destroy().unwrap();
    assert!(!tree.exists("ctr1"));
    assert!(tree.exists("schemata") && tree.exists("info"));
}

#[test]
fn c33_own_group_that_already_existed_is_kept() {
    let tree = FakeTree::full();
    tree.write("ctr1/tasks", "");
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=f0;1=f"), false));
    m.apply().unwrap();
    assert!(!m.created_group());
    m.destroy().unwrap();
    assert!(tree.exists("ctr1/tasks"));
}

#[test]
fn c33_b_preexisting_shared_group_is_kept() {
    let tree = FakeTree::full();
    tree.write("shared-grp/tasks", "");
    tree.mkdir("shared-grp/mon_groups");
    let mut m = manager(
        &tree,
        "ctr1",
        config(Some("shared-grp"), Some("L3:0=3;1=3"), false),
    );
    m.apply().unwrap();
    m.set().unwrap();
    m.destroy().unwrap();
    assert!(tree.exists("shared-grp/tasks"));
}

#[test]
fn mon_group_in_preexisting_shared_group_is_removed_and_group_kept() {
    let tree = FakeTree::full();
    tree.write("shared-grp/tasks", "");
    tree.mkdir("shared-grp/mon_groups");
    let mut m = manager(&tree, "ctr1", config(Some("shared-grp"), None, true));
    m.apply().unwrap();
    m.add_task(99).unwrap();
    assert_eq!(m.mon_path(), Some(tree.join("shared-grp/mon_groups/ctr1")));
    assert_eq!(tree.read("shared-grp/mon_groups/ctr1/tasks"), "99");
    assert_eq!(tree.read("shared-grp/tasks"), "99");
    m.destroy().unwrap();
    assert!(!tree.exists("shared-grp/mon_groups/ctr1"));
    assert!(tree.exists("shared-grp/tasks"));
}

#[test]
fn named_group_we_created_is_shared_and_kept() {
    let tree = FakeTree::full();
    let mut m = manager(
        &tree,
        "ctr1",
        config(Some("gold"), Some("L3:0=ff;1=ff"), false),
    );
    m.apply().unwrap();
    assert!(m.created_group());
    m.destroy().unwrap();
    assert!(tree.exists("gold"));
}

#[test]
fn ownership_restored_in_another_process_removes_the_group() {
    let tree = FakeTree::full();
    let c = || config(None, Some("L3:0=ff;1=ff"), false);
    let mut first = manager(&tree, "ctr1", c());
    first.apply().unwrap();
    let created = first.created_group();
    drop(first);
    // Without the recorded ownership the group is not ours to remove...
    let unknown = manager(&tree, "ctr1", c());
    assert!(!unknown.created_group());
    unknown.destroy().unwrap();
    assert!(tree.exists("ctr1"));
    // ...with it, it is.
    let mut restored = manager(&tree, "ctr1", c());
    restored.restore_ownership(created);
    restored.destroy().unwrap();
    assert!(!tree.exists("ctr1"));
}

#[test]
fn apply_twice_keeps_ownership() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), true));
    m.apply().unwrap();
    m.apply().unwrap();
    assert!(m.created_group());
    m.destroy().unwrap();
    assert!(!tree.exists("ctr1"));
}

#[test]
fn destroy_of_groups_already_gone_is_fine() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    std::fs::remove_dir_all(tree.join("ctr1")).unwrap();
    m.destroy().unwrap();
}

#[test]
fn root_group_is_joined_and_never_removed() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(Some("/"), None, false));
    m.apply().unwrap();
    m.add_task(5).unwrap();
    assert_eq!(m.path(), tree.path());
    assert_eq!(tree.read("tasks"), "5");
    m.destroy().unwrap();
    assert!(tree.exists("schemata"));
}

#[test]
fn c33_a_mb_line_of_l3_schema_is_replaced_by_mem_bw_schema_in_the_file() {
    let tree = FakeTree::full();
    let mut c = config(None, Some("L3:0=7f0;1=1f\nMB:0=20;1=70"), false);
    c.mem_bw_schema = Some("MB:0=50;1=50".into());
    let mut m = manager(&tree, "ctr1", c);
    m.apply().unwrap();
    m.set().unwrap();
    assert_eq!(tree.read("ctr1/schemata"), "L3:0=7f0;1=1f\nMB:0=50;1=50\n");
}

#[test]
fn update_writes_only_the_changed_resource() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    m.set().unwrap();
    let mut c = config(None, None, false);
    c.mem_bw_schema = Some("MB:0=50;1=50".into());
    m.update(c).unwrap();
    // Only MB is written, so the kernel keeps the L3 allocation.
    assert_eq!(tree.read("ctr1/schemata"), "MB:0=50;1=50\n");
}

#[test]
fn update_cannot_move_to_another_group() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    let err = m
        .update(config(Some("other"), Some("L3:0=f;1=f"), false))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
}

#[test]
fn new_group_reads_back_kernel_formatted_schemata() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    // The fake kernel started the group with the root's right-aligned schemata.
    assert!(
        tree.read("ctr1/schemata")
            .starts_with("    MB:0=  100;1=  100\n")
    );
    let s = m.schemata().unwrap();
    assert_eq!(s.get(&Resource::Mb).unwrap().get(1), Some("100"));
    assert_eq!(s.get(&Resource::L3).unwrap().get(0), Some("fffff"));
}

#[test]
fn refused_schemata_write_carries_last_cmd_status() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    // Make the write fail, and leave the kernel's reason where it leaves it.
    std::fs::remove_file(tree.join("ctr1/schemata")).unwrap();
    tree.mkdir("ctr1/schemata");
    tree.write("info/last_cmd_status", "Mask out of range\n");
    let err = m.set().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert_eq!(err.last_cmd_status(), Some("Mask out of range"));
    assert_eq!(err.value(), Some("L3:0=ff;1=ff\n"));
    assert!(
        err.to_string()
            .ends_with(", last_cmd_status: Mask out of range"),
        "{err}"
    );
}

#[test]
fn monitoring_data_per_domain_from_the_mon_group() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), true));
    m.apply().unwrap();
    for (domain, occupancy) in [("00", "123331"), ("01", "Unavailable")] {
        let dir = format!("ctr1/mon_groups/ctr1/mon_data/mon_L3_{domain}");
        tree.write(&format!("{dir}/llc_occupancy"), &format!("{occupancy}\n"));
        tree.write(&format!("{dir}/mbm_total_bytes"), "9123911\n");
        tree.write(&format!("{dir}/mbm_local_bytes"), "2361361\n");
    }
    let stats = m.stats().unwrap();
    assert_eq!(stats.monitoring.len(), 2);
    let d0 = &stats.monitoring[0];
    assert_eq!((d0.resource.as_str(), d0.id), ("L3", 0));
    assert_eq!(d0.llc_occupancy, Some(Counter::Value(123_331)));
    assert_eq!(d0.mbm_total_bytes, Some(Counter::Value(9_123_911)));
    assert_eq!(d0.mbm_local_bytes, Some(Counter::Value(2_361_361)));
    assert_eq!(stats.monitoring[1].id, 1);
    assert_eq!(
        stats.monitoring[1].llc_occupancy,
        Some(Counter::Unavailable)
    );
}

#[test]
fn monitoring_data_of_the_control_group_without_mon_group() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    tree.write("ctr1/mon_data/mon_L3_00/llc_occupancy", "4096\n");
    let stats = m.stats().unwrap();
    assert_eq!(stats.monitoring.len(), 1);
    assert_eq!(
        stats.monitoring[0].llc_occupancy,
        Some(Counter::Value(4096))
    );
    assert_eq!(stats.monitoring[0].mbm_total_bytes, None);
}

#[test]
fn garbage_in_a_counter_file_is_a_parse_error() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    tree.write("ctr1/mon_data/mon_L3_00/mbm_total_bytes", "lots\n");
    assert_eq!(m.stats().unwrap_err().kind(), ErrorKind::Parse);
}

#[test]
fn stats_carry_schemata_and_allocation_parameters() {
    let tree = FakeTree::full();
    let mut m = manager(&tree, "ctr1", config(None, Some("L3:0=ff;1=ff"), false));
    m.apply().unwrap();
    m.set().unwrap();
    let stats = m.stats().unwrap();
    assert_eq!(stats.schemata.to_string(), "L3:0=ff;1=ff\n");
    assert_eq!(stats.root_schemata.lines().len(), 3);
    let l3 = &stats.cache_info[&Resource::L3];
    assert_eq!(
        (l3.cbm_mask.as_str(), l3.min_cbm_bits, l3.num_closids),
        ("fffff", 1, 16)
    );
    assert_eq!(stats.cache_info[&Resource::L2].num_closids, 8);
    let mb = &stats.bandwidth_info[&Resource::Mb];
    assert_eq!(
        (mb.bandwidth_gran, mb.delay_linear, mb.min_bandwidth),
        (10, true, 10)
    );
}
