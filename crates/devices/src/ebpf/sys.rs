//! The raw bpf(2) calls the device filter needs. All of this crate's `unsafe` code
//! is here.
//!
//! rustix has no bpf(2), so the system call goes through `libc::syscall`. Each
//! command has a safe wrapper that fills a zeroed `union bpf_attr` image: pointer
//! fields are taken only from slices borrowed for the duration of the call, with the
//! matching length fields set from the same slices, so the kernel never reads or
//! writes outside memory we lend it. Offsets follow `include/uapi/linux/bpf.h`.
//!
//! Every fd the kernel returns for a bpf object carries `O_CLOEXEC` (the kernel sets
//! it). A returned fd below 3 (stdin, stdout or stderr were closed) is moved to 3 or
//! above with `F_DUPFD_CLOEXEC`, so that it is never mistaken for a standard stream.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use rustix::io::Errno;

/// `enum bpf_cmd` values.
const BPF_PROG_LOAD: u32 = 5;
const BPF_PROG_ATTACH: u32 = 8;
const BPF_PROG_DETACH: u32 = 9;
const BPF_PROG_GET_FD_BY_ID: u32 = 13;
const BPF_OBJ_GET_INFO_BY_FD: u32 = 15;
const BPF_PROG_QUERY: u32 = 16;

/// `BPF_PROG_TYPE_CGROUP_DEVICE`.
const PROG_TYPE_CGROUP_DEVICE: u32 = 15;
/// `BPF_CGROUP_DEVICE` (attach type).
const ATTACH_CGROUP_DEVICE: u32 = 6;
/// `BPF_OBJ_NAME_LEN`: program names are at most 15 bytes plus a NUL.
pub(crate) const OBJ_NAME_LEN: usize = 16;

/// `BPF_F_ALLOW_MULTI`: several programs per cgroup, all of which must allow.
pub(crate) const F_ALLOW_MULTI: u32 = 1 << 1;
/// `BPF_F_REPLACE`: replace the program given in `replace_bpf_fd` atomically.
pub(crate) const F_REPLACE: u32 = 1 << 2;

/// The size we pass for `union bpf_attr`: larger than every field we use (the query
/// fields end at 64 bytes, and kernels since 6.17 write `query.revision` at 56
/// whatever size is passed). Bytes past the kernel's own union are zero, which
/// older kernels require.
const ATTR_SIZE: usize = 128;

/// A zeroed, 8-byte aligned image of `union bpf_attr`.
#[repr(C, align(8))]
struct Attr([u8; ATTR_SIZE]);

impl Attr {
    fn new() -> Attr {
        Attr([0; ATTR_SIZE])
    }

    fn put_u32(&mut self, offset: usize, value: u32) {
        self.0[offset..offset + 4].copy_from_slice(&value.to_ne_bytes());
    }

    fn put_u64(&mut self, offset: usize, value: u64) {
        self.0[offset..offset + 8].copy_from_slice(&value.to_ne_bytes());
    }

    fn get_u32(&self, offset: usize) -> u32 {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(&self.0[offset..offset + 4]);
        u32::from_ne_bytes(bytes)
    }
}

/// An fd as the `__u32` the attr holds (fds are never negative).
fn fd_u32(fd: BorrowedFd<'_>) -> u32 {
    u32::try_from(fd.as_raw_fd()).unwrap_or(u32::MAX)
}

/// A buffer's address as the `__aligned_u64` the attr holds.
fn addr<T>(ptr: *const T) -> u64 {
    ptr as usize as u64
}

/// A slice length as the `__u32` the attr holds; our buffers are far below 4 GiB.
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// bpf(cmd, attr, ATTR_SIZE): the non-negative result, or the errno.
///
/// # Safety
///
/// Every pointer field of `attr` that `cmd` reads or writes must point to memory
/// that is valid for the length the attr gives for it, for the whole call.
unsafe fn bpf(cmd: u32, attr: &mut Attr) -> Result<i64, Errno> {
    let ptr: *mut Attr = attr;
    // SAFETY: `attr` is a live, exclusively borrowed ATTR_SIZE-byte buffer, which is
    // all the kernel reads (and, for some commands, writes) directly; the memory
    // behind its pointer fields is the caller's promise (see `# Safety`).
    let ret = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            libc::c_long::from(cmd),
            ptr,
            ATTR_SIZE as libc::c_long,
        )
    };
    if ret < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(Errno::from_raw_os_error(errno));
    }
    Ok(ret)
}

/// Takes ownership of an fd the kernel just returned, moving it above the standard
/// streams if needed.
fn owned_fd(ret: i64) -> Result<OwnedFd, Errno> {
    let raw = RawFd::try_from(ret).map_err(|_| Errno::BADF)?;
    // SAFETY: the kernel returned `raw` as a new file descriptor of this process
    // that nothing else owns; wrapping it makes us its only owner.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    if raw > 2 {
        return Ok(fd);
    }
    rustix::io::fcntl_dupfd_cloexec(&fd, 3)
}

/// `BPF_PROG_LOAD` of a `BPF_PROG_TYPE_CGROUP_DEVICE` program.
///
/// `insns` are the encoded instructions (8 bytes each), `name` at most 15 bytes of
/// `[A-Za-z0-9_.]`. With `log`, the verifier writes its log (level 1) there.
pub(crate) fn prog_load(
    insns: &[u8],
    license: &CStr,
    name: &str,
    log: Option<&mut [u8]>,
) -> Result<OwnedFd, Errno> {
    let mut attr = Attr::new();
    attr.put_u32(0, PROG_TYPE_CGROUP_DEVICE);
    attr.put_u32(4, len_u32(insns.len() / 8));
    attr.put_u64(8, addr(insns.as_ptr()));
    attr.put_u64(16, addr(license.as_ptr()));
    if let Some(log) = log {
        attr.put_u32(24, 1);
        attr.put_u32(28, len_u32(log.len()));
        attr.put_u64(32, addr(log.as_mut_ptr()));
    }
    let name = name.as_bytes();
    let n = name.len().min(OBJ_NAME_LEN - 1);
    attr.0[48..48 + n].copy_from_slice(&name[..n]);
    // SAFETY: the kernel reads `insn_cnt * 8 <= insns.len()` bytes of `insns`, the
    // NUL-terminated `license`, and writes at most `log.len()` bytes to `log`; all
    // three are borrowed until this call returns.
    let ret = unsafe { bpf(BPF_PROG_LOAD, &mut attr)? };
    owned_fd(ret)
}

/// `BPF_PROG_ATTACH` of `prog` to the cgroup `target` as `BPF_CGROUP_DEVICE`.
pub(crate) fn prog_attach(
    target: BorrowedFd<'_>,
    prog: BorrowedFd<'_>,
    flags: u32,
    replace: Option<BorrowedFd<'_>>,
) -> Result<(), Errno> {
    let mut attr = Attr::new();
    attr.put_u32(0, fd_u32(target));
    attr.put_u32(4, fd_u32(prog));
    attr.put_u32(8, ATTACH_CGROUP_DEVICE);
    attr.put_u32(12, flags);
    if let Some(old) = replace {
        attr.put_u32(16, fd_u32(old));
    }
    // SAFETY: no pointer fields; the fds are borrowed, so they stay open.
    unsafe { bpf(BPF_PROG_ATTACH, &mut attr) }.map(drop)
}

/// `BPF_PROG_DETACH` of `prog` from the cgroup `target`.
pub(crate) fn prog_detach(target: BorrowedFd<'_>, prog: BorrowedFd<'_>) -> Result<(), Errno> {
    let mut attr = Attr::new();
    attr.put_u32(0, fd_u32(target));
    attr.put_u32(4, fd_u32(prog));
    attr.put_u32(8, ATTACH_CGROUP_DEVICE);
    // SAFETY: no pointer fields; the fds are borrowed, so they stay open.
    unsafe { bpf(BPF_PROG_DETACH, &mut attr) }.map(drop)
}

/// `BPF_PROG_QUERY` of the `BPF_CGROUP_DEVICE` programs attached to `target`
/// itself. Fills `ids` and returns the number of attached programs, which is larger
/// than `ids.len()` when the result is `Err(ENOSPC)`: `(result, count)`.
pub(crate) fn prog_query(target: BorrowedFd<'_>, ids: &mut [u32]) -> (Result<(), Errno>, u32) {
    let mut attr = Attr::new();
    attr.put_u32(0, fd_u32(target));
    attr.put_u32(4, ATTACH_CGROUP_DEVICE);
    attr.put_u64(16, addr(ids.as_mut_ptr()));
    attr.put_u32(24, len_u32(ids.len()));
    // SAFETY: the kernel writes at most `prog_cnt = ids.len()` u32 ids to `ids`,
    // which is borrowed until this call returns; it writes the count and revision
    // into `attr` itself.
    let result = unsafe { bpf(BPF_PROG_QUERY, &mut attr) }.map(drop);
    (result, attr.get_u32(24))
}

/// `BPF_PROG_GET_FD_BY_ID`.
pub(crate) fn prog_fd_by_id(id: u32) -> Result<OwnedFd, Errno> {
    let mut attr = Attr::new();
    attr.put_u32(0, id);
    // SAFETY: no pointer fields.
    let ret = unsafe { bpf(BPF_PROG_GET_FD_BY_ID, &mut attr)? };
    owned_fd(ret)
}

/// What [`prog_info`] reads of `struct bpf_prog_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProgInfo {
    pub(crate) prog_type: u32,
    pub(crate) id: u32,
    pub(crate) name: String,
}

/// `BPF_OBJ_GET_INFO_BY_FD` of a program: its type, id and name.
pub(crate) fn prog_info(prog: BorrowedFd<'_>) -> Result<ProgInfo, Errno> {
    // `struct bpf_prog_info` up to and including `name` (offset 64, 16 bytes).
    let mut info = [0u64; 10];
    let mut attr = Attr::new();
    attr.put_u32(0, fd_u32(prog));
    attr.put_u32(4, len_u32(std::mem::size_of_val(&info)));
    attr.put_u64(8, addr(info.as_mut_ptr()));
    // SAFETY: the kernel writes at most `info_len` (80) bytes to `info`, which is
    // borrowed until this call returns.
    unsafe { bpf(BPF_OBJ_GET_INFO_BY_FD, &mut attr)? };
    let bytes: Vec<u8> = info.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let word =
        |at: usize| u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let name = &bytes[64..64 + OBJ_NAME_LEN];
    let end = name.iter().position(|&b| b == 0).unwrap_or(OBJ_NAME_LEN);
    Ok(ProgInfo {
        prog_type: word(0),
        id: word(4),
        name: String::from_utf8_lossy(&name[..end]).into_owned(),
    })
}

/// Whether `prog_type` is `BPF_PROG_TYPE_CGROUP_DEVICE`.
pub(crate) fn is_device_program(info: &ProgInfo) -> bool {
    info.prog_type == PROG_TYPE_CGROUP_DEVICE
}
