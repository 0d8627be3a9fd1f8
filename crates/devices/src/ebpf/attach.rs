//! Loading the filter and attaching it to a cgroup: query, attach, replace, detach.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::OnceLock;

use rustix::io::Errno;

use crate::emulator::Emulator;
use crate::error::{Error, ErrorKind, Result};

use super::DeviceFilter;
use super::sys::{self, F_ALLOW_MULTI, F_REPLACE};

/// The name prefix of every program this crate loads; programs with another name
/// (systemd's, a runtime's) are never detached.
pub(crate) const NAME_PREFIX: &str = "cgdev_";

/// The licence string given to the kernel (the programs call no helper, so it does
/// not matter to the verifier).
const LICENSE: &std::ffi::CStr = c"Apache-2.0 OR MIT";

/// Retries of a load that fails with EAGAIN (the verifier was interrupted).
const LOAD_RETRIES: u32 = 30;
/// First and largest size of the verifier log buffer.
const LOG_START: usize = 64 * 1024;
const LOG_MAX: usize = 16 * 1024 * 1024 - 1;
/// The most of the verifier log an error keeps: its last bytes, where the verifier
/// states why it refused the program.
pub(crate) const LOG_KEEP: usize = 64 * 1024;
/// Tries of a query whose result keeps growing.
const QUERY_TRIES: u32 = 10;

/// A device program attached to a cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachedProgram {
    /// The kernel's program id.
    pub id: u32,
    /// The program name (empty if the program could not be inspected).
    pub name: String,
    /// Whether this crate attached it (its name starts with `cgdev_`).
    pub ours: bool,
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Applied {
    /// The id of the program now attached; `None` for rules that allow everything
    /// (nothing is attached then).
    pub attached: Option<u32>,
    /// Whether the previous program was replaced atomically (`BPF_F_REPLACE`).
    pub replaced_atomically: bool,
    /// The ids of our previous programs that are no longer attached.
    pub detached: Vec<u32>,
}

fn os_error(call: &str, errno: Errno, problem: &str) -> Error {
    Error::os(call, errno.raw_os_error(), problem)
}

/// Makes `filter` the device filter of the cgroup whose directory `cgroup_dir` is
/// (an `O_RDONLY` or `O_PATH` directory fd on cgroup2).
///
/// Loads the program, then: when exactly one program of ours is attached and the
/// kernel supports `BPF_F_REPLACE`, replaces it in one step; otherwise attaches the
/// new program (`BPF_F_ALLOW_MULTI`) and then detaches every older one of ours. The
/// kernel runs every attached program and allows an access only if all allow it, so
/// in between the stricter of the two applies: no access that both the old and the
/// new rules deny is ever allowed, and none that both allow is lost. Programs that
/// are not ours stay attached and keep restricting the cgroup.
///
/// For rules that allow everything nothing is attached; ours are detached.
///
/// # Errors
///
/// [`ErrorKind::ProgramRejected`] with the verifier log when the kernel refuses the
/// program; [`ErrorKind::Os`] for other bpf(2) failures (EPERM: not privileged, or a
/// program attached without `BPF_F_ALLOW_MULTI` is in the way). If detaching an older
/// program fails, the new one stays attached next to it (stricter, never looser).
pub fn apply(cgroup_dir: BorrowedFd<'_>, filter: &DeviceFilter) -> Result<Applied> {
    if filter.allows_everything() {
        let detached = detach_ours(cgroup_dir)?;
        return Ok(Applied {
            attached: None,
            replaced_atomically: false,
            detached,
        });
    }
    let prog = load(filter)?;
    let id = sys::prog_info(prog.as_fd())
        .map_err(|e| {
            os_error(
                "bpf(BPF_OBJ_GET_INFO_BY_FD)",
                e,
                "cannot read the new program's id",
            )
        })?
        .id;
    let mut old = ours(cgroup_dir)?;
    if old.len() == 1 && use_replace() {
        let flags = F_ALLOW_MULTI | F_REPLACE;
        match sys::prog_attach(cgroup_dir, prog.as_fd(), flags, Some(old[0].1.as_fd())) {
            Ok(()) => {
                log::debug!("device filter {id} replaced program {}", old[0].0);
                return Ok(Applied {
                    attached: Some(id),
                    replaced_atomically: true,
                    detached: vec![old[0].0],
                });
            }
            // The old program was detached meanwhile: attach without replacing.
            Err(Errno::NOENT) => old = ours(cgroup_dir)?,
            Err(e) => {
                let problem = "cannot replace the cgroup's device filter";
                return Err(os_error("bpf(BPF_PROG_ATTACH, BPF_F_REPLACE)", e, problem));
            }
        }
    }
    sys::prog_attach(cgroup_dir, prog.as_fd(), F_ALLOW_MULTI, None).map_err(|e| {
        let problem = "cannot attach the device filter to the cgroup (EPERM: not \
                       privileged, or another program is attached without \
                       BPF_F_ALLOW_MULTI)";
        os_error("bpf(BPF_PROG_ATTACH, BPF_F_ALLOW_MULTI)", e, problem)
    })?;
    let detached = detach(cgroup_dir, old)?;
    Ok(Applied {
        attached: Some(id),
        replaced_atomically: false,
        detached,
    })
}

/// Detaches every device program of ours from the cgroup; returns their ids.
///
/// # Errors
///
/// [`ErrorKind::Os`] when the programs cannot be listed or one cannot be detached.
pub fn detach_ours(cgroup_dir: BorrowedFd<'_>) -> Result<Vec<u32>> {
    let old = ours(cgroup_dir)?;
    detach(cgroup_dir, old)
}

fn detach(cgroup_dir: BorrowedFd<'_>, programs: Vec<(u32, OwnedFd)>) -> Result<Vec<u32>> {
    let mut detached = Vec::with_capacity(programs.len());
    for (id, fd) in programs {
        match sys::prog_detach(cgroup_dir, fd.as_fd()) {
            // ENOENT: someone else detached it meanwhile.
            Ok(()) | Err(Errno::NOENT) => detached.push(id),
            Err(e) => {
                let problem = format!("cannot detach our previous device filter {id}");
                return Err(os_error("bpf(BPF_PROG_DETACH)", e, &problem));
            }
        }
    }
    Ok(detached)
}

/// The device programs attached to the cgroup itself (not those inherited from
/// its ancestors), in the kernel's order.
///
/// # Errors
///
/// [`ErrorKind::Os`] when the query fails (EBADF/ENOTDIR: not a cgroup2 directory).
pub fn attached_programs(cgroup_dir: BorrowedFd<'_>) -> Result<Vec<AttachedProgram>> {
    let mut out = Vec::new();
    for id in query(cgroup_dir)? {
        match inspect(id)? {
            Some((name, _)) => out.push(AttachedProgram {
                ours: name.starts_with(NAME_PREFIX),
                id,
                name,
            }),
            None => out.push(AttachedProgram {
                id,
                name: String::new(),
                ours: false,
            }),
        }
    }
    Ok(out)
}

/// Whether a program with this id still exists anywhere in the kernel.
///
/// # Errors
///
/// [`ErrorKind::Os`] for errors other than "no such program".
pub fn program_exists(id: u32) -> Result<bool> {
    match sys::prog_fd_by_id(id) {
        Ok(_) => Ok(true),
        Err(Errno::NOENT) => Ok(false),
        Err(e) => Err(os_error(
            "bpf(BPF_PROG_GET_FD_BY_ID)",
            e,
            "cannot look the program up",
        )),
    }
}

/// Whether this kernel supports `BPF_F_REPLACE` (Linux 5.6), probed once per process
/// by attaching a trivial program with the flag to a pipe: a kernel that knows the
/// flag gets as far as the target and says EBADF (not a cgroup); one that does not
/// refuses the flag with EINVAL. Without the privilege to load the probe, `false`.
pub fn replace_supported() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(probe_replace)
}

fn probe_replace() -> bool {
    let filter = match DeviceFilter::new(&Emulator::deny_all()) {
        Ok(filter) => filter,
        Err(_) => return false,
    };
    let Ok(prog) = load(&filter) else {
        log::debug!("cannot load the BPF_F_REPLACE probe program; assuming no support");
        return false;
    };
    let Ok((reader, _writer)) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC) else {
        return false;
    };
    let flags = F_ALLOW_MULTI | F_REPLACE;
    let result = sys::prog_attach(reader.as_fd(), prog.as_fd(), flags, Some(prog.as_fd()));
    log::debug!("BPF_F_REPLACE probe: {result:?}");
    result == Err(Errno::BADF)
}

fn use_replace() -> bool {
    !super::forced_no_replace() && replace_supported()
}

/// Our programs attached to the cgroup, with an fd each (to detach or replace them).
fn ours(cgroup_dir: BorrowedFd<'_>) -> Result<Vec<(u32, OwnedFd)>> {
    let mut out = Vec::new();
    for id in query(cgroup_dir)? {
        if let Some((name, fd)) = inspect(id)?
            && name.starts_with(NAME_PREFIX)
        {
            out.push((id, fd));
        }
    }
    Ok(out)
}

/// The name and an fd of program `id`; `None` when it vanished or we may not open it
/// (then it is not ours to touch).
fn inspect(id: u32) -> Result<Option<(String, OwnedFd)>> {
    let fd = match sys::prog_fd_by_id(id) {
        Ok(fd) => fd,
        Err(Errno::NOENT | Errno::PERM | Errno::ACCESS) => return Ok(None),
        Err(e) => {
            let problem = format!("cannot open attached program {id}");
            return Err(os_error("bpf(BPF_PROG_GET_FD_BY_ID)", e, &problem));
        }
    };
    let info = sys::prog_info(fd.as_fd()).map_err(|e| {
        let problem = format!("cannot read the name of attached program {id}");
        os_error("bpf(BPF_OBJ_GET_INFO_BY_FD)", e, &problem)
    })?;
    match sys::is_device_program(&info) {
        true => Ok(Some((info.name, fd))),
        false => Ok(None),
    }
}

fn query(cgroup_dir: BorrowedFd<'_>) -> Result<Vec<u32>> {
    let mut capacity = 64usize;
    for _ in 0..QUERY_TRIES {
        let mut ids = vec![0u32; capacity];
        match sys::prog_query(cgroup_dir, &mut ids) {
            (Ok(()), count) => {
                ids.truncate(count as usize);
                return Ok(ids);
            }
            (Err(Errno::NOSPC), count) => capacity = (count as usize).max(capacity * 2),
            (Err(e), _) => {
                let problem = "cannot list the device programs attached to the cgroup \
                               (EBADF or ENOTDIR: the fd is not a cgroup2 directory)";
                return Err(os_error("bpf(BPF_PROG_QUERY)", e, problem));
            }
        }
    }
    let problem = "the number of attached programs kept growing while listing them";
    Err(Error::os(
        "bpf(BPF_PROG_QUERY)",
        Errno::NOSPC.raw_os_error(),
        problem,
    ))
}

/// Loads the program; on failure loads it again with the verifier log.
pub(crate) fn load(filter: &DeviceFilter) -> Result<OwnedFd> {
    load_named(&filter.bytes(), &filter.name())
}

/// Test support: loads arbitrary encoded instructions the way [`load`] loads a
/// generated filter (the verifier-rejection path needs a program it refuses).
#[cfg(feature = "test-fixtures")]
pub(crate) fn load_raw(bytes: &[u8], name: &str) -> Result<OwnedFd> {
    load_named(bytes, name)
}

/// Test support: a program that is not ours, attached next to ours.
#[cfg(feature = "test-fixtures")]
pub(crate) fn attach_foreign(
    cgroup_dir: BorrowedFd<'_>,
    filter: &DeviceFilter,
    name: &str,
) -> Result<u32> {
    let prog = load_named(&filter.bytes(), name)?;
    let id = sys::prog_info(prog.as_fd())
        .map_err(|e| os_error("bpf(BPF_OBJ_GET_INFO_BY_FD)", e, "cannot read the id"))?
        .id;
    sys::prog_attach(cgroup_dir, prog.as_fd(), F_ALLOW_MULTI, None)
        .map_err(|e| os_error("bpf(BPF_PROG_ATTACH)", e, "cannot attach"))?;
    Ok(id)
}

fn load_named(bytes: &[u8], name: &str) -> Result<OwnedFd> {
    let (mut eagain, mut raised) = (0, false);
    loop {
        match sys::prog_load(bytes, LICENSE, name, None) {
            Ok(fd) => return Ok(fd),
            Err(Errno::AGAIN) if eagain < LOAD_RETRIES => eagain += 1,
            Err(Errno::PERM) if !raised => {
                raised = true;
                raise_memlock();
            }
            Err(errno) => return Err(load_error(bytes, name, errno)),
        }
    }
}

/// Kernels before 5.11 charge BPF programs to `RLIMIT_MEMLOCK` and say EPERM when
/// it is exhausted. Raising it needs CAP_SYS_RESOURCE; failing is not an error (the
/// retried load then reports the EPERM).
fn raise_memlock() {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let unlimited = Rlimit {
        current: None,
        maximum: None,
    };
    match setrlimit(Resource::Memlock, unlimited) {
        Ok(()) => log::debug!("BPF_PROG_LOAD said EPERM: raised RLIMIT_MEMLOCK, retrying"),
        Err(e) => log::debug!("BPF_PROG_LOAD said EPERM; cannot raise RLIMIT_MEMLOCK: {e}"),
    }
}

fn load_error(bytes: &[u8], name: &str, errno: Errno) -> Error {
    let log = match errno {
        Errno::INVAL | Errno::ACCESS => verifier_log(bytes, name),
        _ => None,
    };
    let (kind, problem) = match errno {
        Errno::INVAL | Errno::ACCESS => (
            ErrorKind::ProgramRejected,
            "the kernel's verifier refused the device filter program; its log below \
             names the instruction and the reason (a generated program that is refused \
             is a bug in this crate: please report it with the rules and this log)",
        ),
        Errno::PERM => (
            ErrorKind::Os,
            "not allowed to load BPF programs (needs CAP_BPF or CAP_SYS_ADMIN)",
        ),
        _ => (ErrorKind::Os, "cannot load the device filter program"),
    };
    let call = format!("bpf(BPF_PROG_LOAD) of {name}");
    let mut err = Error::new(kind, &call, problem).with_errno(errno.raw_os_error());
    if let Some(log) = log.filter(|l| !l.trim().is_empty()) {
        err = err.with_log(keep_tail(log, LOG_KEEP));
    }
    err
}

/// The last `max` bytes of `log` at most (cut at a line start, or else at a
/// character boundary), after a line saying how much was left out. The verifier
/// writes why it refused the program at the end.
pub(crate) fn keep_tail(log: String, max: usize) -> String {
    if log.len() <= max {
        return log;
    }
    let mut start = log.len() - max;
    while !log.is_char_boundary(start) {
        start += 1;
    }
    if let Some(nl) = log[start..].find('\n')
        && nl + 1 < log.len() - start
    {
        start += nl + 1;
    }
    format!(
        "[first {start} bytes of the verifier log left out]\n{}",
        &log[start..]
    )
}

/// Loads the program again with a verifier log (level 1), growing the buffer while
/// the kernel says it is too small (ENOSPC) and retrying an interrupted verifier
/// (EAGAIN). At the largest size the log is what fitted: since Linux 6.4 its end
/// (where the reason is), before that its start.
fn verifier_log(bytes: &[u8], name: &str) -> Option<String> {
    let (mut size, mut eagain) = (LOG_START, 0);
    loop {
        let mut buf = vec![0u8; size];
        let result = sys::prog_load(bytes, LICENSE, name, Some(&mut buf));
        if matches!(result, Err(Errno::NOSPC)) && size < LOG_MAX {
            size = (size * 8).min(LOG_MAX);
            continue;
        }
        if matches!(result, Err(Errno::AGAIN)) && eagain < LOAD_RETRIES {
            eagain += 1;
            continue;
        }
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        return Some(String::from_utf8_lossy(&buf[..end]).into_owned());
    }
}
