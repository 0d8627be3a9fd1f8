//! Close-on-exec for the bus socket.
//!
//! rustbus 0.19 creates its socket without `SOCK_CLOEXEC`, so without this every
//! process a caller starts after connecting would inherit the connection to systemd
//! (the class of leak behind CVE-2024-21626). The flag is set right after the socket
//! is connected; a `fork` + `exec` by another thread between rustbus's `socket(2)` and
//! this `fcntl(2)` can still inherit it (rustbus offers no way to pass the flag).

#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd};

use rustix::io::{FdFlags, fcntl_getfd, fcntl_setfd};

/// Sets `FD_CLOEXEC` on the socket of `conn`.
pub(crate) fn set(conn: &impl AsRawFd) -> std::io::Result<()> {
    let raw = conn.as_raw_fd();
    // SAFETY: `raw` is the socket owned by `conn`, which outlives this borrow; the
    // borrowed fd is used only for the two fcntl calls below and not kept.
    let fd = unsafe { BorrowedFd::borrow_raw(raw) };
    let flags = fcntl_getfd(fd)?;
    fcntl_setfd(fd, flags | FdFlags::CLOEXEC)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    use super::*;

    #[test]
    fn a_socket_without_the_flag_gets_it() {
        let (a, _b) = UnixStream::pair().unwrap();
        // std creates sockets with the flag: clear it to stand in for rustbus's socket.
        fcntl_setfd(a.as_fd(), FdFlags::empty()).unwrap();
        assert!(!fcntl_getfd(a.as_fd()).unwrap().contains(FdFlags::CLOEXEC));
        set(&a).unwrap();
        assert!(fcntl_getfd(a.as_fd()).unwrap().contains(FdFlags::CLOEXEC));
    }
}
