//! The load path when the kernel's verifier refuses a program: the typed error, its
//! message, and the verifier's own log carried in it (cut to its end when long).

use devices::ErrorKind;
use devices::ebpf::testing;
use ktest::{Failed, ensure, ensure_eq};

/// `exit` (opcode 0x95).
const EXIT: [u8; 8] = [0x95, 0, 0, 0, 0, 0, 0, 0];
/// `r0 = 0` (mov64 imm, opcode 0xb7).
const R0_ZERO: [u8; 8] = [0xb7, 0, 0, 0, 0, 0, 0, 0];
/// `r0 = r2` (mov64 reg, opcode 0xbf, src 2): r2 is never set in a device program.
const R0_FROM_R2: [u8; 8] = [0xbf, 0x20, 0, 0, 0, 0, 0, 0];

fn rejected(insns: &[u8], name: &str) -> Result<devices::Error, Failed> {
    match testing::load_raw(insns, name) {
        Ok(fd) => Err(format!("the verifier accepted {name}: {fd:?}").into()),
        Err(err) => Ok(err),
    }
}

pub fn exit_without_setting_r0_is_rejected_with_the_verifier_log() -> Result<(), Failed> {
    let err = rejected(&EXIT, "cgtest_nor0")?;
    ensure_eq!(err.kind(), ErrorKind::ProgramRejected, "{err}");
    ensure_eq!(err.errno(), Some(libc_eacces()), "{err}");
    let log = err
        .verifier_log()
        .ok_or(format!("no verifier log in {err}"))?;
    ensure!(log.contains("R0 !read_ok"), "verifier log: {log:?}");
    let text = err.to_string();
    for part in [
        "bpf(BPF_PROG_LOAD) of cgtest_nor0",
        "verifier refused",
        "please report it",
        "errno 13",
        "verifier log:\n",
        "R0 !read_ok",
    ] {
        ensure!(text.contains(part), "{part:?} missing in {text:?}");
    }
    Ok(())
}

pub fn long_verifier_log_is_kept_by_its_end() -> Result<(), Failed> {
    // 20,000 accepted instructions, each one line of the level-1 log (about 340 kB,
    // more than the first 64 KiB buffer), then a read of the unset r2.
    let mut insns = R0_ZERO.repeat(20_000);
    insns.extend_from_slice(&R0_FROM_R2);
    insns.extend_from_slice(&EXIT);
    let err = rejected(&insns, "cgtest_longlog")?;
    ensure_eq!(err.kind(), ErrorKind::ProgramRejected, "{err}");
    let log = err
        .verifier_log()
        .ok_or(format!("no verifier log in {err}"))?;
    let (marker, rest) = log.split_once('\n').ok_or("log of one line")?;
    ensure!(
        marker.starts_with("[first ") && marker.ends_with(" bytes of the verifier log left out]"),
        "{marker:?}"
    );
    ensure!(
        rest.len() <= testing::VERIFIER_LOG_KEEP,
        "{} bytes kept",
        rest.len()
    );
    ensure!(
        rest.contains("R2 !read_ok"),
        "end of the log: {:?}",
        tail(rest)
    );
    ensure!(rest.contains("20000: (bf) r0 = r2"), "{:?}", tail(rest));
    ensure!(err.to_string().contains("R2 !read_ok"));
    Ok(())
}

fn tail(log: &str) -> &str {
    let mut start = log.len().saturating_sub(400);
    while !log.is_char_boundary(start) {
        start += 1;
    }
    &log[start..]
}

fn libc_eacces() -> i32 {
    rustix::io::Errno::ACCESS.raw_os_error()
}
