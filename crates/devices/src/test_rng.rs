//! Test support: a seeded pseudo-random generator (SplitMix64) and random device
//! rules over a small domain, so that property tests hit overlapping wildcards often
//! and every failure can be replayed from its seed.

use crate::access::Access;
use crate::rule::{DeviceType, Rule};

/// SplitMix64: small, fast, and good enough to spread test inputs.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        // The slices are tiny: the index always fits.
        items[self.below(items.len() as u64) as usize]
    }
}

/// Device numbers the random rules and the query matrices use: small numbers that
/// collide often, and the extremes of `u32` (beyond an eBPF immediate's range).
pub(crate) const NUMBERS: [u32; 6] = [0, 1, 3, 7, 0x8000_0000, u32::MAX];

/// Every access set, the empty one included.
pub(crate) fn every_access() -> impl Iterator<Item = Access> {
    (0u8..8).map(Access::from_bits_truncate)
}

/// A random rule for the devices cgroup: mostly block and char rules with wildcards,
/// sometimes an `a` reset.
pub(crate) fn random_rule(rng: &mut Rng) -> Rule {
    let kind = match rng.below(12) {
        0 => DeviceType::All,
        1..=5 => DeviceType::Block,
        _ => DeviceType::Char,
    };
    let number = |rng: &mut Rng| match rng.below(3) {
        0 => None,
        _ => Some(rng.pick(&NUMBERS)),
    };
    let major = number(rng);
    let minor = number(rng);
    let access = Access::from_bits_truncate(1 + rng.below(7) as u8);
    Rule {
        kind,
        major,
        minor,
        access,
        allow: rng.below(2) == 0,
    }
}
