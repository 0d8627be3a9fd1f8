//! Waking a fresh connection to systemd's private socket.
//!
//! systemd's private socket is a D-Bus server without a bus daemon. Its server side
//! (sd-bus, seen with systemd 252) leaves the authentication phase when it reads
//! `BEGIN`; bytes that came with `BEGIN` in the same read stay in its buffer, and it
//! looks at them only when the socket becomes readable again. rustbus writes `BEGIN`
//! and, a moment later, our first call: when systemd reads both at once, the call
//! is never answered (the first call "timed out"). A `Ping` that gets no reply
//! within [`WAKE_STEP`] is followed by another; its bytes make systemd read and
//! answer what was waiting.

use std::time::{Duration, Instant};

use rustbus::MessageBuilder;
use rustbus::connection::Timeout;
use rustbus::message_builder::MessageType;

use crate::client::{
    CALL_TIMEOUT, Conn, DEST, PATH, PRIVATE_SOCKET, conn_error, method_error, note_signal,
};
use crate::error::{Error, ErrorKind, Result};

/// How long a fresh peer-to-peer connection waits for a `Ping` reply before it sends
/// the next `Ping`.
pub(crate) const WAKE_STEP: Duration = Duration::from_millis(50);

/// Pings a fresh peer-to-peer connection until it answers. Replies to the extra
/// pings come later and are skipped like any reply nobody waits for.
///
/// # Errors
/// [`ErrorKind::Timeout`] when nothing answers within [`CALL_TIMEOUT`]; I/O errors;
/// [`ErrorKind::MethodFailed`] when the peer refuses `Ping`.
pub(crate) fn wake_peer(c: &mut Conn) -> Result<()> {
    let deadline = Instant::now() + CALL_TIMEOUT;
    let mut sent = Vec::new();
    loop {
        let ping = MessageBuilder::new()
            .call("Ping")
            .with_interface("org.freedesktop.DBus.Peer")
            .on(PATH)
            .at(DEST)
            .build();
        let serial = c
            .conn
            .send
            .send_message(&ping)
            .map_err(|e| conn_error(e, "pinging systemd"))?
            .write(Timeout::Duration(CALL_TIMEOUT))
            .map_err(|(_, e)| conn_error(e, "pinging systemd"))?;
        sent.push(serial);
        let step = (Instant::now() + WAKE_STEP).min(deadline);
        loop {
            let left = step.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match c.conn.recv.get_next_message(Timeout::Duration(left)) {
                Ok(m)
                    if m.dynheader
                        .response_serial
                        .is_some_and(|s| sent.contains(&s)) =>
                {
                    return match m.typ {
                        MessageType::Error => Err(method_error("Ping", &m)),
                        _ => Ok(()),
                    };
                }
                Ok(m) => note_signal(c, &m),
                Err(rustbus::connection::Error::TimedOut) => break,
                Err(e) => return Err(conn_error(e, "waiting for systemd's first reply")),
            }
        }
        if Instant::now() >= deadline {
            return Err(Error::new(
                ErrorKind::Timeout,
                "systemd did not answer on its private socket",
            )
            .with_value(PRIVATE_SOCKET));
        }
    }
}

#[cfg(test)]
#[path = "private_tests.rs"]
mod tests;
