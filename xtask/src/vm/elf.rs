//! Whether an ELF executable is static (no `PT_INTERP` program header): the guest has
//! no dynamic loader and no libc.

use std::io::Read;
use std::path::Path;

const PT_INTERP: u32 = 3;

/// Whether `path` is a 64-bit little-endian ELF file without an interpreter.
pub fn is_static(path: &Path) -> Result<bool, String> {
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut head = Vec::new();
    (&mut f)
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    static_from_head(&head).ok_or_else(|| format!("{} is not a 64-bit ELF file", path.display()))
}

/// Reads the program headers from the start of the file (they sit right after the
/// ELF header in every executable the toolchains write).
fn static_from_head(b: &[u8]) -> Option<bool> {
    if b.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |o: usize| Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?));
    let u64_at = |o: usize| Some(u64::from_le_bytes(b.get(o..o + 8)?.try_into().ok()?));
    let phoff = usize::try_from(u64_at(0x20)?).ok()?;
    let entsize = usize::from(u16_at(0x36)?);
    let count = usize::from(u16_at(0x38)?);
    for i in 0..count {
        if u32_at(phoff + i * entsize)? == PT_INTERP {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(types: &[u32]) -> Vec<u8> {
        let mut b = vec![0u8; 64];
        b[..6].copy_from_slice(b"\x7fELF\x02\x01");
        b[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        b[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        b[0x38..0x3a].copy_from_slice(&(types.len() as u16).to_le_bytes());
        for t in types {
            let mut ph = vec![0u8; 56];
            ph[..4].copy_from_slice(&t.to_le_bytes());
            b.extend(ph);
        }
        b
    }

    #[test]
    fn an_interpreter_header_means_dynamic() {
        assert_eq!(static_from_head(&elf(&[6, PT_INTERP, 1])), Some(false));
        assert_eq!(static_from_head(&elf(&[6, 1, 1])), Some(true));
    }

    #[test]
    fn non_elf_and_truncated_files_are_not_judged() {
        assert_eq!(static_from_head(b"#!/bin/sh\n"), None);
        let mut b = elf(&[1, 1]);
        b.truncate(80);
        assert_eq!(static_from_head(&b), None);
    }

    #[test]
    fn this_test_binary_is_judged() {
        let me = std::env::current_exe().unwrap();
        assert!(is_static(&me).is_ok());
    }
}
