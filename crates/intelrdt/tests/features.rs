//! Features and allocation parameters read from the `info/` of fake trees.

mod common;

use common::FakeTree;
use intelrdt::{ErrorKind, Resource};

#[test]
fn full_tree_has_cat_mba_cmt_and_mbm() {
    let tree = FakeTree::full();
    let f = tree.open().features().unwrap();
    assert!(f.cat && !f.cdp && f.l2_cat && !f.l2_cdp && f.mba && !f.smba);
    assert!(f.cmt && f.mbm_total && f.mbm_local && f.mbm());
    assert_eq!(f.resources, [Resource::L3, Resource::L2, Resource::Mb]);
    assert_eq!(
        f.mon_features,
        ["llc_occupancy", "mbm_total_bytes", "mbm_local_bytes"]
    );
}

#[test]
fn cdp_tree_counts_as_cat_with_code_and_data() {
    let tree = FakeTree::cdp();
    let resctrl = tree.open();
    let f = resctrl.features().unwrap();
    assert!(f.cat && f.cdp && !f.mba && !f.cmt && !f.mbm());
    assert_eq!(f.resources, [Resource::L3Code, Resource::L3Data]);
    assert_eq!(
        resctrl.cache_info(&Resource::L3Code).unwrap().cbm_mask,
        "7ff"
    );
    let root = resctrl.root_schemata().unwrap();
    assert_eq!(root.get(&Resource::L3Data).unwrap().get(2), Some("001ff"));
}

#[test]
fn unknown_info_directories_become_other_resources() {
    let tree = FakeTree::full();
    tree.mkdir("info/SMBA");
    tree.mkdir("info/L2CODE");
    tree.mkdir("info/L2DATA");
    tree.mkdir("info/NEWRES");
    tree.mkdir("info/NEW_MON");
    let f = tree.open().features().unwrap();
    assert!(f.smba && f.l2_cdp);
    assert!(f.has(&Resource::Other("NEWRES".into())));
    assert!(!f.has(&Resource::Other("NEW_MON".into())));
}

#[test]
fn cache_and_bandwidth_parameters_are_read() {
    let tree = FakeTree::full();
    let resctrl = tree.open();
    let l3 = resctrl.cache_info(&Resource::L3).unwrap();
    assert_eq!(
        (l3.cbm_mask.as_str(), l3.min_cbm_bits, l3.num_closids),
        ("fffff", 1, 16)
    );
    let mb = resctrl.bandwidth_info(&Resource::Mb).unwrap();
    assert_eq!(mb.bandwidth_gran, 10);
    assert!(mb.delay_linear);
    assert_eq!((mb.min_bandwidth, mb.num_closids), (10, 8));
}

#[test]
fn bad_info_values_are_parse_errors() {
    let tree = FakeTree::full();
    tree.write("info/MB/delay_linear", "2\n");
    tree.write("info/L3/num_closids", "many\n");
    let resctrl = tree.open();
    let err = resctrl.bandwidth_info(&Resource::Mb).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse, "{err}");
    let err = resctrl.cache_info(&Resource::L3).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse, "{err}");
    assert_eq!(err.value(), Some("many\n"));
}

#[test]
fn missing_info_is_not_found() {
    let tree = FakeTree::full();
    std::fs::remove_dir_all(tree.join("info")).unwrap();
    assert_eq!(
        tree.open().features().unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn last_cmd_status_is_read_trimmed() {
    let tree = FakeTree::full();
    tree.write("info/last_cmd_status", "Duplicate domain 0\n");
    assert_eq!(
        tree.open().last_cmd_status().as_deref(),
        Some("Duplicate domain 0")
    );
}
