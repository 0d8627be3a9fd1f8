//! Every line of the captured `devices.list` files must parse and print back
//! unchanged (the kernel already prints the canonical form).

use devices::{Access, DeviceType, Rule};

const K8S_CONTAINER: &str = include_str!("fixtures/elastic__amzn2-k8s-container.devices.list");

#[test]
fn every_captured_devices_list_line_parses_and_prints_back() {
    let mut count = 0;
    for line in K8S_CONTAINER.lines() {
        let rule: Rule = line.parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert!(rule.allow);
        assert_eq!(rule.validate_for_cgroup(), Ok(()));
        assert_eq!(rule.to_string(), line);
        count += 1;
    }
    assert_eq!(count, 11);
}

#[test]
fn captured_kubernetes_list_holds_the_expected_wildcards() {
    let rules: Vec<Rule> = K8S_CONTAINER.lines().map(|l| l.parse().unwrap()).collect();
    let pty = Rule::new(DeviceType::Char, Some(136), None, Access::all(), true);
    assert_eq!(rules[0], pty);
    let mknod_block = Rule::new(DeviceType::Block, None, None, Access::MKNOD, true);
    assert!(rules.contains(&mknod_block));
}
