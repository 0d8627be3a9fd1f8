//! Generating the `BPF_PROG_TYPE_CGROUP_DEVICE` program from an emulator's rules.
//!
//! The kernel calls the program with a `struct bpf_cgroup_dev_ctx` in `r1`:
//! `access_type` (bits 0..16 the device type, 1 block, 2 char; bits 16.. the access,
//! 1 mknod, 2 read, 4 write), `major`, `minor`, each a `u32`. It returns 1 to allow
//! and 0 to deny.
//!
//! Layout (after the reference): a prologue loads the type into `r2`, the access
//! into `r3`, the major into `r4` and the minor into `r5`; one block per exception of
//! the emulator, in [`Emulator::rules`] order, jumps to the next block as soon as a
//! field does not match, else returns the exception's decision; the epilogue returns
//! the mode's default. Every block of one program has the same decision (all allow
//! in allow-list mode, all deny in deny-list mode), so the order of blocks does not
//! change the result.
//!
//! The access test follows the v1 kernel exactly:
//! - an **allow** block matches when the requested access is a subset of the
//!   exception's (`(r3 & allowed) == r3`; skipped for `rwm`);
//! - a **deny** block matches when the request shares an access with the exception
//!   (`(r3 & denied) != 0`; for `rwm` simply `r3 != 0`). The Go reference tests a
//!   subset here too, which lets `O_RDWR` through a `deny c 1:3 w`, and denies an
//!   empty-access request that v1 allows.
//!
//! Numbers up to `i32::MAX` are compared with an immediate. Larger ones go through
//! `r1` (`mov32` zero-extends), because the kernel sign-extends a jump's immediate to
//! 64 bits and `0xffff_ffff` would never match a register holding a `u32`.

use crate::access::Access;
use crate::emulator::Emulator;
use crate::error::{Error, ErrorKind, Result};
use crate::rule::{DeviceType, Rule};

use super::insn::{Insn, R0, R1, R2, R3, R4, R5};

/// `BPF_DEVCG_DEV_BLOCK`, `BPF_DEVCG_DEV_CHAR`.
const DEV_BLOCK: i32 = 1;
const DEV_CHAR: i32 = 2;
/// `BPF_DEVCG_ACC_MKNOD`, `BPF_DEVCG_ACC_READ`, `BPF_DEVCG_ACC_WRITE`.
const ACC_MKNOD: i32 = 1;
const ACC_READ: i32 = 2;
const ACC_WRITE: i32 = 4;

/// The kernel's access bits for an access set.
pub(crate) fn access_bits(access: Access) -> i32 {
    let mut bits = 0;
    if access.contains(Access::READ) {
        bits |= ACC_READ;
    }
    if access.contains(Access::WRITE) {
        bits |= ACC_WRITE;
    }
    if access.contains(Access::MKNOD) {
        bits |= ACC_MKNOD;
    }
    bits
}

/// The six instructions that load the context into `r2`..`r5`.
fn prologue() -> [Insn; 6] {
    [
        Insn::load_u32(R2, R1, 0),
        Insn::and32(R2, 0xffff),
        Insn::load_u32(R3, R1, 0),
        Insn::rsh32(R3, 16),
        Insn::load_u32(R4, R1, 4),
        Insn::load_u32(R5, R1, 8),
    ]
}

/// The instructions of a whole program for `emulator`.
pub(crate) fn generate(emulator: &Emulator) -> Result<Vec<Insn>> {
    generate_from(!emulator.is_allow_list(), &emulator.rules())
}

/// The program for a rule list as [`Emulator::rules`] makes it: an optional leading
/// `a` rule that sets the mode, then exceptions that all decide against the default.
pub(crate) fn generate_from(default_allow: bool, rules: &[Rule]) -> Result<Vec<Insn>> {
    let mut insns = prologue().to_vec();
    for (i, rule) in rules.iter().enumerate() {
        if rule.kind == DeviceType::All {
            if i != 0 || rule.allow != default_allow {
                return Err(internal(
                    rule,
                    "an `a` rule after the first or against the mode",
                ));
            }
            continue;
        }
        if rule.allow == default_allow {
            return Err(internal(rule, "a rule with the default's decision"));
        }
        insns.extend(block(rule)?);
    }
    insns.push(Insn::mov32_imm(R0, i32::from(default_allow)));
    insns.push(Insn::exit());
    Ok(insns)
}

fn internal(rule: &Rule, what: &str) -> Error {
    let verb = if rule.allow { "allow" } else { "deny" };
    let input = format!("program for {verb} {rule}");
    Error::new(
        ErrorKind::Internal,
        &input,
        format!("the rule list has {what}"),
    )
}

/// One block: tests that jump to the block's end when they fail, then the decision.
fn block(rule: &Rule) -> Result<Vec<Insn>> {
    let dev_type = match rule.kind {
        DeviceType::Block => DEV_BLOCK,
        DeviceType::Char => DEV_CHAR,
        _ => return Err(internal(rule, "a rule that is neither block nor char")),
    };
    // Jumps are emitted with offset 0 and patched to "the end of the block" below.
    let mut insns = vec![Insn::jne_imm(R2, dev_type, 0)];
    let bits = access_bits(rule.access);
    match (rule.allow, rule.access == Access::all()) {
        (true, true) => {}
        (true, false) => insns.extend([
            Insn::mov32_reg(R1, R3),
            Insn::and32(R1, bits),
            Insn::jne_reg(R1, R3, 0),
        ]),
        (false, true) => insns.push(Insn::jeq_imm(R3, 0, 0)),
        (false, false) => insns.extend([
            Insn::mov32_reg(R1, R3),
            Insn::and32(R1, bits),
            Insn::jeq_imm(R1, 0, 0),
        ]),
    }
    for (reg, number) in [(R4, rule.major), (R5, rule.minor)] {
        let Some(number) = number else { continue };
        match i32::try_from(number) {
            Ok(imm) => insns.push(Insn::jne_imm(reg, imm, 0)),
            Err(_) => {
                // The bit pattern of `number`; mov32 zero-extends it back.
                let imm = i32::from_ne_bytes(number.to_ne_bytes());
                insns.extend([Insn::mov32_imm(R1, imm), Insn::jne_reg(reg, R1, 0)]);
            }
        }
    }
    insns.push(Insn::mov32_imm(R0, i32::from(rule.allow)));
    insns.push(Insn::exit());
    let end = insns.len();
    for (at, insn) in insns.iter_mut().enumerate() {
        if insn.is_jump() {
            // At most 12 instructions: the offset always fits.
            let off = i16::try_from(end - at - 1).unwrap_or(i16::MAX);
            *insn = insn.with_offset(off);
        }
    }
    Ok(insns)
}
