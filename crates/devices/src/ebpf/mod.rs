//! The cgroup v2 device filter (feature `ebpf`): an eBPF program of type
//! `BPF_PROG_TYPE_CGROUP_DEVICE` generated from an [`Emulator`], loaded with bpf(2)
//! and attached to a cgroup directory.
//!
//! cgroup v2 has no device files; the kernel asks the programs attached to a cgroup
//! (and its ancestors) whether a process may open or create a device node. The
//! program is generated from the emulator's exceptions, so both versions decide the
//! same (see [`program`](self#the-program) below); the tests run the exact bytes in
//! an independent interpreter and compare with [`Emulator::permits`].
//!
//! # The program
//!
//! A prologue of 6 instructions loads the device type, the requested access, the
//! major and the minor from the context; then one block per exception (in
//! [`Emulator::rules`] order) returns the exception's decision when the type,
//! numbers and access match; the last 2 instructions return the mode's default
//! (deny for an allow list, allow for a deny list). An allow block needs the
//! requested access to be a subset of the exception's; a deny block needs them to
//! share one access (the v1 kernel's rules, C29). With no exceptions in allow-list
//! mode the program has 8 instructions and denies everything; the runtime default
//! list (`c *:* m`, `b *:* m`, null, zero, full, random, urandom, tty, ptmx, tun,
//! pts) gives 64.
//!
//! # Attaching, replacing, ownership
//!
//! [`apply`] attaches with `BPF_F_ALLOW_MULTI`, so other programs on the same cgroup
//! (systemd attaches its own to units) stay and keep restricting it: the kernel
//! allows an access only if every program allows it. The previous program of ours is
//! replaced atomically with `BPF_F_REPLACE` where the kernel has it (Linux 5.6,
//! probed once per process: [`replace_supported`]); otherwise the new program is
//! attached before the old ones are detached, so in between the stricter of both
//! applies.
//!
//! **Which programs are ours.** A later process (a runtime's `update`) must find the
//! program an earlier one attached, so ownership cannot live in memory. Every program
//! this crate loads is named `cgdev_<hash>` (`prog_name` of `BPF_PROG_LOAD`; the hash
//! is of the instructions, so `bpftool cgroup show` tells different rule sets apart),
//! and only device programs whose name starts with `cgdev_` are ever replaced or
//! detached. The prefix is this crate's namespace: another tool using it would have
//! its programs treated as ours.
//!
//! Rules that allow everything need no program: nothing is attached and ours are
//! detached (the program is still generated, see [`DeviceFilter::new`]).
//!
//! # Memory limits
//!
//! Kernels before 5.11 charge BPF programs to `RLIMIT_MEMLOCK`; a load that fails
//! with EPERM raises the limit (which needs CAP_SYS_RESOURCE) and tries once more,
//! and a failed raise is not an error in itself. Newer kernels charge the memory
//! cgroup instead; this path is not exercised by the tests (`docs/devices.md` of the workspace).
//!
//! # System calls
//!
//! bpf(2) with `BPF_PROG_LOAD`, `BPF_PROG_ATTACH`, `BPF_PROG_DETACH`,
//! `BPF_PROG_QUERY`, `BPF_PROG_GET_FD_BY_ID`, `BPF_OBJ_GET_INFO_BY_FD`; setrlimit(2)
//! (`RLIMIT_MEMLOCK`, see above); pipe2(2) for the `BPF_F_REPLACE` probe. Every fd is
//! owned and close-on-exec.
//!
//! ```no_run
//! use std::os::fd::AsFd;
//! use devices::{Emulator, Rule};
//! use devices::ebpf::{DeviceFilter, apply};
//!
//! let rules = Emulator::from_rules(&["c 1:5 rwm".parse::<Rule>()?])?;
//! let filter = DeviceFilter::new(&rules)?;
//! # fn cgroup_dir() -> std::os::fd::OwnedFd { unimplemented!() }
//! let dir = cgroup_dir(); // O_RDONLY|O_DIRECTORY fd of a cgroup2 directory
//! let applied = apply(dir.as_fd(), &filter)?;
//! println!("attached program {:?}", applied.attached);
//! # Ok::<(), devices::Error>(())
//! ```

mod attach;
mod insn;
mod program;
#[allow(unsafe_code)]
mod sys;

#[cfg(test)]
mod crosscheck_tests;
#[cfg(test)]
mod program_tests;
#[cfg(test)]
mod verifier_log_tests;

use std::fmt::Write as _;

pub use attach::{
    Applied, AttachedProgram, apply, attached_programs, detach_ours, program_exists,
    replace_supported,
};

use crate::emulator::Emulator;
use crate::error::Result;
use insn::Insn;

/// A generated device filter program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFilter {
    insns: Vec<Insn>,
    allows_everything: bool,
}

impl DeviceFilter {
    /// Generates the program that decides as `rules` does.
    ///
    /// The program is generated even when `rules` allow everything, although
    /// [`apply`] then attaches nothing.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`](crate::ErrorKind::Internal) if the emulator's rule
    /// list breaks the generator's invariants (a bug).
    pub fn new(rules: &Emulator) -> Result<DeviceFilter> {
        Ok(DeviceFilter {
            insns: program::generate(rules)?,
            allows_everything: rules.allows_everything(),
        })
    }

    /// The number of instructions.
    pub fn instruction_count(&self) -> usize {
        self.insns.len()
    }

    /// The encoded instructions, 8 bytes each: exactly what `BPF_PROG_LOAD` receives.
    pub fn bytes(&self) -> Vec<u8> {
        self.insns.iter().flat_map(|i| i.encode()).collect()
    }

    /// A readable listing, one numbered instruction per line
    /// (`0: ldxw r2, [r1+0]`).
    pub fn listing(&self) -> String {
        let mut out = String::new();
        for (n, insn) in self.insns.iter().enumerate() {
            let _ = writeln!(out, "{n}: {insn}");
        }
        out
    }

    /// The program name given to the kernel: `cgdev_` and 9 hex digits of a hash of
    /// the instructions (FNV-1a), 15 bytes in all (the kernel's limit).
    pub fn name(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{}{:09x}", attach::NAME_PREFIX, hash >> 28)
    }

    /// Whether the rules allow every device (then nothing needs to be attached).
    pub fn allows_everything(&self) -> bool {
        self.allows_everything
    }
}

#[cfg(feature = "test-fixtures")]
thread_local! {
    static FORCE_NO_REPLACE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn forced_no_replace() -> bool {
    #[cfg(feature = "test-fixtures")]
    return FORCE_NO_REPLACE.with(std::cell::Cell::get);
    #[cfg(not(feature = "test-fixtures"))]
    false
}

/// Test-only switches (feature `test-fixtures`).
#[cfg(feature = "test-fixtures")]
pub mod testing {
    /// Thread-local: [`apply`](super::apply) calls made afterwards on this thread
    /// never use `BPF_F_REPLACE` (attach the new program, then detach the old ones),
    /// as on kernels before 5.6. Returns the previous value.
    pub fn force_no_replace(on: bool) -> bool {
        super::FORCE_NO_REPLACE.with(|f| f.replace(on))
    }

    /// Loads `filter` as [`apply`](super::apply) would, without attaching it.
    ///
    /// # Errors
    ///
    /// As [`apply`](super::apply).
    pub fn load(filter: &super::DeviceFilter) -> crate::Result<std::os::fd::OwnedFd> {
        super::attach::load(filter)
    }

    /// Loads arbitrary encoded instructions (8 bytes each, as
    /// [`DeviceFilter::bytes`](super::DeviceFilter::bytes)) as a device program named
    /// `name`, through the same path as [`apply`](super::apply): retries, the
    /// verifier log on refusal, the error.
    ///
    /// # Errors
    ///
    /// As [`apply`](super::apply): [`ErrorKind::ProgramRejected`](crate::ErrorKind)
    /// with the verifier log when the kernel refuses the instructions.
    pub fn load_raw(insns: &[u8], name: &str) -> crate::Result<std::os::fd::OwnedFd> {
        super::attach::load_raw(insns, name)
    }

    /// The most bytes of the verifier log an error keeps (its end, after a line
    /// saying how much was left out).
    pub const VERIFIER_LOG_KEEP: usize = super::attach::LOG_KEEP;

    /// Loads `filter` under another tool's `name` (not starting with `cgdev_`) and
    /// attaches it with `BPF_F_ALLOW_MULTI`, as systemd would; returns its id.
    ///
    /// # Errors
    ///
    /// As [`apply`](super::apply).
    pub fn attach_foreign(
        cgroup_dir: std::os::fd::BorrowedFd<'_>,
        filter: &super::DeviceFilter,
        name: &str,
    ) -> crate::Result<u32> {
        super::attach::attach_foreign(cgroup_dir, filter, name)
    }
}
