//! Golden programs for the reference's cases.

use super::DeviceFilter;
use crate::emulator::Emulator;
use crate::error::ErrorKind;
use crate::rule::Rule;

fn filter(rules: &[(&str, bool)]) -> DeviceFilter {
    let rules: Vec<Rule> = rules
        .iter()
        .map(|(text, allow)| Rule::parse(text, *allow).unwrap())
        .collect();
    DeviceFilter::new(&Emulator::from_rules(&rules).unwrap()).unwrap()
}

const PROLOGUE: &str = "\
0: ldxw r2, [r1+0]
1: and32 r2, 0xffff
2: ldxw r3, [r1+0]
3: rsh32 r3, 16
4: ldxw r4, [r1+4]
5: ldxw r5, [r1+8]
";

#[test]
fn no_rules_give_eight_instructions_that_deny() {
    let f = filter(&[]);
    assert_eq!(f.instruction_count(), 8);
    assert_eq!(
        f.listing(),
        format!("{PROLOGUE}6: mov32 r0, 0x0\n7: exit\n")
    );
    assert!(!f.allows_everything());
    assert_eq!(f.bytes().len(), 64);
}

#[test]
fn allow_all_gives_a_program_that_accepts_and_is_not_needed() {
    let f = filter(&[("a", true)]);
    assert_eq!(
        f.listing(),
        format!("{PROLOGUE}6: mov32 r0, 0x1\n7: exit\n")
    );
    assert!(f.allows_everything());
}

#[test]
fn deny_list_with_one_device_has_one_reject_block() {
    let f = filter(&[("a", true), ("b 8:0 rwm", false)]);
    let expected = format!(
        "{PROLOGUE}\
6: jne r2, 0x1, +5
7: jeq r3, 0x0, +4
8: jne r4, 0x8, +3
9: jne r5, 0x0, +2
10: mov32 r0, 0x0
11: exit
12: mov32 r0, 0x1
13: exit
"
    );
    assert_eq!(f.listing(), expected);
}

#[test]
fn rules_before_an_a_rule_are_forgotten() {
    let f = filter(&[("b 8:1 rwm", false), ("a", true), ("b 8:2 rwm", false)]);
    let listing = f.listing();
    assert!(listing.contains("jne r5, 0x2, +2"), "{listing}");
    assert!(!listing.contains("jne r5, 0x1,"), "{listing}");
    assert_eq!(f.instruction_count(), 14);
}

#[test]
fn allow_with_partial_access_tests_a_subset() {
    let f = filter(&[("c 1:5 r", true)]);
    let expected = format!(
        "{PROLOGUE}\
6: jne r2, 0x2, +7
7: mov32 r1, r3
8: and32 r1, 0x2
9: jne r1, r3, +4
10: jne r4, 0x1, +3
11: jne r5, 0x5, +2
12: mov32 r0, 0x1
13: exit
14: mov32 r0, 0x0
15: exit
"
    );
    assert_eq!(f.listing(), expected);
}

#[test]
fn deny_with_partial_access_tests_a_shared_access() {
    let f = filter(&[("a", true), ("c 1:3 w", false)]);
    let listing = f.listing();
    assert!(
        listing.contains("7: mov32 r1, r3\n8: and32 r1, 0x4\n9: jeq r1, 0x0, +4\n"),
        "{listing}"
    );
}

#[test]
fn numbers_above_i32_max_are_compared_through_a_register() {
    let f = filter(&[("c 4294967295:2147483648 rwm", true)]);
    let expected = format!(
        "{PROLOGUE}\
6: jne r2, 0x2, +6
7: mov32 r1, 0xffffffff
8: jne r4, r1, +4
9: mov32 r1, 0x80000000
10: jne r5, r1, +2
11: mov32 r0, 0x1
12: exit
13: mov32 r0, 0x0
14: exit
"
    );
    assert_eq!(f.listing(), expected);
    let f = filter(&[("c 2147483647:* rwm", true)]);
    assert!(
        f.listing().contains("jne r4, 0x7fffffff, +2"),
        "{}",
        f.listing()
    );
}

/// The reference's built-in allow list (runc `AllowedDevices`).
#[test]
fn builtin_allow_list_gives_sixty_four_instructions_in_key_order() {
    let rules = [
        "c *:* m",
        "b *:* m",
        "c 1:3 rwm",
        "c 1:5 rwm",
        "c 1:7 rwm",
        "c 1:8 rwm",
        "c 1:9 rwm",
        "c 5:0 rwm",
        "c 5:2 rwm",
        "c 10:200 rwm",
        "c 136:* rwm",
    ];
    let rules: Vec<(&str, bool)> = rules.iter().map(|r| (*r, true)).collect();
    let f = filter(&rules);
    assert_eq!(f.instruction_count(), 64);
    let listing = f.listing();
    let types: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_once(": jne r2, ").map(|(_, rest)| &rest[..3]))
        .collect();
    assert_eq!(
        types,
        [
            "0x1", "0x2", "0x2", "0x2", "0x2", "0x2", "0x2", "0x2", "0x2", "0x2", "0x2"
        ]
    );
    let majors: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_once(": jne r4, ").map(|(_, rest)| rest))
        .collect();
    assert_eq!(
        majors,
        [
            "0x1, +3", "0x1, +3", "0x1, +3", "0x1, +3", "0x1, +3", "0x5, +3", "0x5, +3", "0xa, +3",
            "0x88, +2"
        ]
    );
    // The pts block has no minor test: type, major, decision.
    assert!(
        listing
            .contains("58: jne r2, 0x2, +3\n59: jne r4, 0x88, +2\n60: mov32 r0, 0x1\n61: exit\n"),
        "{listing}"
    );
    assert!(
        listing.ends_with("62: mov32 r0, 0x0\n63: exit\n"),
        "{listing}"
    );
}

#[test]
fn name_is_prefixed_and_fits_the_kernel_limit() {
    let a = filter(&[("c 1:3 rwm", true)]);
    let b = filter(&[("c 1:5 rwm", true)]);
    assert!(a.name().starts_with("cgdev_"));
    assert_eq!(a.name().len(), 15);
    assert!(a.name()[6..].bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a.name(), b.name());
    assert_eq!(a.name(), filter(&[("c 1:3 rwm", true)]).name());
}

#[test]
fn generator_refuses_rules_with_the_default_decision() {
    // The emulator never produces such a list; the generator still checks.
    let e = Emulator::allow_all();
    let err = super::program::generate(&e).map(|_| ());
    assert_eq!(err, Ok(()));
    let allow = Rule::parse("c 1:3 rwm", true).unwrap();
    let deny = Rule::parse("c 1:3 rwm", false).unwrap();
    let generate = super::program::generate_from;
    let same_as_default = generate(true, &[Rule::every_device(true), allow.clone()]);
    assert_eq!(same_as_default.unwrap_err().kind(), ErrorKind::Internal);
    let late_reset = generate(true, &[deny, Rule::every_device(true)]);
    assert_eq!(late_reset.unwrap_err().kind(), ErrorKind::Internal);
    let reset_against_mode = generate(false, &[Rule::every_device(true), allow]);
    assert_eq!(reset_against_mode.unwrap_err().kind(), ErrorKind::Internal);
}
