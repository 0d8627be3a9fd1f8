//! The same decisions everywhere: the exact bytes handed to `BPF_PROG_LOAD` run in
//! an independent interpreter (the `rbpf` crate) over a matrix of device type,
//! major, minor and access, and must answer what [`Emulator::permits`] answers.
//!
//! rbpf zero-extends a jump's immediate where the kernel sign-extends it; the
//! generator never emits a negative jump immediate (numbers above `i32::MAX` go
//! through a register), so both read the program the same way.

use super::DeviceFilter;
use super::program::access_bits;
use crate::access::Access;
use crate::emulator::Emulator;
use crate::rule::{DeviceType, Rule};
use crate::test_rng::{NUMBERS, Rng, every_access, random_rule};

/// `struct bpf_cgroup_dev_ctx` for one request.
fn context(kind: DeviceType, major: u32, minor: u32, access: Access) -> [u8; 12] {
    let dev_type: u32 = match kind {
        DeviceType::Block => 1,
        _ => 2,
    };
    let bits = u32::try_from(access_bits(access)).unwrap();
    let mut ctx = [0u8; 12];
    ctx[0..4].copy_from_slice(&((bits << 16) | dev_type).to_le_bytes());
    ctx[4..8].copy_from_slice(&major.to_le_bytes());
    ctx[8..12].copy_from_slice(&minor.to_le_bytes());
    ctx
}

/// Runs the program on every request of the matrix and compares with the emulator;
/// returns how many requests were checked.
fn cross_check(emulator: &Emulator, extra_numbers: &[u32]) -> usize {
    let filter = DeviceFilter::new(emulator).unwrap();
    let bytes = filter.bytes();
    let numbers: Vec<u32> = NUMBERS.iter().chain(extra_numbers).copied().collect();
    let mut checked = 0;
    for kind in [DeviceType::Block, DeviceType::Char] {
        for &major in &numbers {
            for &minor in &numbers {
                for access in every_access() {
                    let mut ctx = context(kind, major, minor, access);
                    // The VM borrows the context for its own lifetime: one per request.
                    let vm = rbpf::EbpfVmRaw::new(Some(&bytes)).unwrap();
                    let verdict = vm.execute_program(&mut ctx).unwrap();
                    let expected = emulator.permits(kind, major, minor, access);
                    assert!(verdict <= 1, "verdict {verdict}");
                    assert_eq!(
                        verdict == 1,
                        expected,
                        "{kind} {major}:{minor} {access:?} for {:?}\n{}",
                        emulator.rules(),
                        filter.listing()
                    );
                    checked += 1;
                }
            }
        }
    }
    checked
}

fn rules(list: &[(&str, bool)]) -> Emulator {
    let rules: Vec<Rule> = list
        .iter()
        .map(|(t, allow)| Rule::parse(t, *allow).unwrap())
        .collect();
    Emulator::from_rules(&rules).unwrap()
}

#[test]
fn c29_rule_lists_decide_the_same_in_the_interpreter() {
    let lists: [&[(&str, bool)]; 5] = [
        &[
            ("a", false),
            ("c 1:3 rwm", true),
            ("c 1:5 r", true),
            ("c 136:* rw", true),
        ],
        &[("a", true)],
        &[("a", true), ("c 1:3 rwm", false)],
        &[("c 1:3 rwm", true), ("a", false)],
        &[("a", false), ("c 1:3 r", true), ("c 1:3 w", true)],
    ];
    for list in lists {
        cross_check(&rules(list), &[5, 8, 136]);
    }
}

#[test]
fn builtin_allow_list_decides_the_same_in_the_interpreter() {
    let list = [
        ("c *:* m", true),
        ("b *:* m", true),
        ("c 1:3 rwm", true),
        ("c 1:5 rwm", true),
        ("c 10:200 rwm", true),
        ("c 136:* rwm", true),
    ];
    cross_check(&rules(&list), &[5, 10, 136, 200]);
}

#[test]
fn random_rule_sets_decide_the_same_in_the_interpreter() {
    let mut rng = Rng::new(0x5eed_00bf);
    let (mut checked, mut deny_lists) = (0, 0);
    for _ in 0..300 {
        let mut emulator = match rng.below(2) {
            0 => Emulator::deny_all(),
            _ => Emulator::allow_all(),
        };
        for _ in 0..rng.below(12) {
            let _ = emulator.apply(&random_rule(&mut rng));
        }
        deny_lists += usize::from(!emulator.is_allow_list());
        checked += cross_check(&emulator, &[]);
    }
    assert!(
        (60..240).contains(&deny_lists),
        "{deny_lists} deny lists of 300"
    );
    assert!(checked > 300 * 500, "{checked}");
}
