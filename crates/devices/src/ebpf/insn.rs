//! The handful of eBPF instructions the device filter uses: their encoding (what
//! bpf(2) receives) and a readable listing (for golden tests and error messages).
//!
//! An instruction is 8 bytes: opcode, destination and source register (low and high
//! nibble), a signed 16-bit jump offset and a signed 32-bit immediate, little-endian
//! (`Documentation/bpf/standardization/instruction-set.rst`).

use std::fmt;

/// A register number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reg(pub(crate) u8);

pub(crate) const R0: Reg = Reg(0);
pub(crate) const R1: Reg = Reg(1);
pub(crate) const R2: Reg = Reg(2);
pub(crate) const R3: Reg = Reg(3);
pub(crate) const R4: Reg = Reg(4);
pub(crate) const R5: Reg = Reg(5);

// Opcodes: class | operation | source.
/// `BPF_LDX | BPF_MEM | BPF_W`: load 32 bits, zero-extended.
const LDX_W: u8 = 0x61;
/// `BPF_ALU | BPF_AND | BPF_K`.
const AND32_K: u8 = 0x54;
/// `BPF_ALU | BPF_RSH | BPF_K`.
const RSH32_K: u8 = 0x74;
/// `BPF_ALU | BPF_MOV | BPF_K`: the result is zero-extended to 64 bits.
const MOV32_K: u8 = 0xb4;
/// `BPF_ALU | BPF_MOV | BPF_X`.
const MOV32_X: u8 = 0xbc;
/// `BPF_JMP | BPF_JEQ | BPF_K`.
const JEQ_K: u8 = 0x15;
/// `BPF_JMP | BPF_JNE | BPF_K`.
const JNE_K: u8 = 0x55;
/// `BPF_JMP | BPF_JNE | BPF_X`.
const JNE_X: u8 = 0x5d;
/// `BPF_JMP | BPF_EXIT`.
const EXIT: u8 = 0x95;

/// One instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Insn {
    code: u8,
    dst: Reg,
    src: Reg,
    off: i16,
    imm: i32,
}

impl Insn {
    const fn new(code: u8, dst: Reg, src: Reg, off: i16, imm: i32) -> Insn {
        Insn {
            code,
            dst,
            src,
            off,
            imm,
        }
    }

    /// `dst = *(u32 *)(src + off)`.
    pub(crate) const fn load_u32(dst: Reg, src: Reg, off: i16) -> Insn {
        Insn::new(LDX_W, dst, src, off, 0)
    }

    /// `dst = (u32)dst & imm`.
    pub(crate) const fn and32(dst: Reg, imm: i32) -> Insn {
        Insn::new(AND32_K, dst, R0, 0, imm)
    }

    /// `dst = (u32)dst >> imm`.
    pub(crate) const fn rsh32(dst: Reg, imm: i32) -> Insn {
        Insn::new(RSH32_K, dst, R0, 0, imm)
    }

    /// `dst = (u32)imm` (zero-extended: `-1` gives `0xffff_ffff`).
    pub(crate) const fn mov32_imm(dst: Reg, imm: i32) -> Insn {
        Insn::new(MOV32_K, dst, R0, 0, imm)
    }

    /// `dst = (u32)src`.
    pub(crate) const fn mov32_reg(dst: Reg, src: Reg) -> Insn {
        Insn::new(MOV32_X, dst, src, 0, 0)
    }

    /// `if dst == imm goto +off`. The kernel sign-extends `imm` to 64 bits, so only
    /// non-negative immediates compare as the unsigned numbers they look like.
    pub(crate) const fn jeq_imm(dst: Reg, imm: i32, off: i16) -> Insn {
        Insn::new(JEQ_K, dst, R0, off, imm)
    }

    /// `if dst != imm goto +off` (see [`Insn::jeq_imm`] about the sign).
    pub(crate) const fn jne_imm(dst: Reg, imm: i32, off: i16) -> Insn {
        Insn::new(JNE_K, dst, R0, off, imm)
    }

    /// `if dst != src goto +off`.
    pub(crate) const fn jne_reg(dst: Reg, src: Reg, off: i16) -> Insn {
        Insn::new(JNE_X, dst, src, off, 0)
    }

    /// Return `r0`.
    pub(crate) const fn exit() -> Insn {
        Insn::new(EXIT, R0, R0, 0, 0)
    }

    /// Whether this is a conditional jump (its offset is patched by the generator).
    pub(crate) fn is_jump(self) -> bool {
        matches!(self.code, JEQ_K | JNE_K | JNE_X)
    }

    /// The same instruction with another jump offset.
    pub(crate) fn with_offset(self, off: i16) -> Insn {
        Insn { off, ..self }
    }

    /// The 8 bytes the kernel receives.
    pub(crate) fn encode(self) -> [u8; 8] {
        let mut out = [0u8; 8];
        out[0] = self.code;
        out[1] = (self.src.0 << 4) | (self.dst.0 & 0x0f);
        out[2..4].copy_from_slice(&self.off.to_le_bytes());
        out[4..8].copy_from_slice(&self.imm.to_le_bytes());
        out
    }
}

impl fmt::Display for Insn {
    /// An assembler-like line: `ldxw r2, [r1+0]`, `jne r2, 2, +4`, `exit`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, s, off, imm) = (self.dst.0, self.src.0, self.off, self.imm);
        match self.code {
            LDX_W => write!(f, "ldxw r{d}, [r{s}{off:+}]"),
            AND32_K => write!(f, "and32 r{d}, {imm:#x}"),
            RSH32_K => write!(f, "rsh32 r{d}, {imm}"),
            MOV32_K => write!(f, "mov32 r{d}, {imm:#x}"),
            MOV32_X => write!(f, "mov32 r{d}, r{s}"),
            JEQ_K => write!(f, "jeq r{d}, {imm:#x}, {off:+}"),
            JNE_K => write!(f, "jne r{d}, {imm:#x}, {off:+}"),
            JNE_X => write!(f, "jne r{d}, r{s}, {off:+}"),
            EXIT => f.write_str("exit"),
            other => write!(f, "op {other:#04x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_encode_little_endian_with_register_nibbles() {
        assert_eq!(
            Insn::load_u32(R2, R1, 4).encode(),
            [0x61, 0x12, 4, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            Insn::and32(R2, 0xffff).encode(),
            [0x54, 0x02, 0, 0, 0xff, 0xff, 0, 0]
        );
        assert_eq!(
            Insn::jne_imm(R4, 136, 3).encode(),
            [0x55, 0x04, 3, 0, 136, 0, 0, 0]
        );
        assert_eq!(
            Insn::jne_reg(R1, R3, -1).encode(),
            [0x5d, 0x31, 0xff, 0xff, 0, 0, 0, 0]
        );
        assert_eq!(
            Insn::mov32_imm(R1, -1).encode(),
            [0xb4, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(Insn::exit().encode(), [0x95, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn listing_reads_like_assembly() {
        assert_eq!(Insn::load_u32(R5, R1, 8).to_string(), "ldxw r5, [r1+8]");
        assert_eq!(Insn::rsh32(R3, 16).to_string(), "rsh32 r3, 16");
        assert_eq!(Insn::jeq_imm(R1, 0, 5).to_string(), "jeq r1, 0x0, +5");
        assert_eq!(Insn::mov32_reg(R1, R3).to_string(), "mov32 r1, r3");
        assert!(Insn::jne_reg(R4, R1, 2).is_jump() && !Insn::exit().is_jump());
    }
}
