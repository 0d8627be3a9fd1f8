//! A fake peer that behaves like systemd's private socket (a call read together with
//! `BEGIN` waits for more bytes) and the client's wake-up against it.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::client::{Bus, open};

/// What the fake peer saw.
#[derive(Debug, Default)]
struct Seen {
    /// A message came in the same read as `BEGIN` (and was held back).
    held_back: bool,
    /// Method calls answered.
    answered: usize,
}

/// The length of the first whole little-endian message in `buf`, if there is one.
fn whole_message(buf: &[u8]) -> Option<usize> {
    let word = |at: usize| -> Option<usize> {
        let b: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b) as usize)
    };
    let body = word(4)?;
    let fields = word(12)?;
    let total = (16 + fields).next_multiple_of(8) + body;
    (buf.len() >= total).then_some(total)
}

/// An empty method return for the call with `serial`.
fn method_return(reply_serial: u32, serial: u32) -> Vec<u8> {
    let mut r = vec![b'l', 2, 1, 1];
    r.extend(0u32.to_le_bytes());
    r.extend(serial.to_le_bytes());
    r.extend(8u32.to_le_bytes());
    r.extend([5, 1, b'u', 0]);
    r.extend(reply_serial.to_le_bytes());
    r
}

fn serve(mut s: UnixStream, pause: Duration) -> std::io::Result<Seen> {
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = vec![0u8; 4096];
    let mut auth = Vec::new();
    while !auth.ends_with(b"\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        auth.extend(&buf[..n]);
    }
    assert!(auth.starts_with(b"\0AUTH EXTERNAL "), "{auth:?}");
    s.write_all(b"OK 0123456789abcdef0123456789abcdef\r\n")?;
    // Let BEGIN and the first call both arrive before the next read.
    std::thread::sleep(pause);
    let n = s.read(&mut buf)?;
    let first = &buf[..n];
    assert!(first.starts_with(b"BEGIN\r\n"), "{first:?}");
    let mut pending = first[7..].to_vec();
    let mut seen = Seen {
        held_back: !pending.is_empty(),
        answered: 0,
    };
    // Like sd-bus: what came with BEGIN is looked at only after the next read. The
    // client hangs up with replies unread: a reset ends the conversation too.
    let gone = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        )
    };
    loop {
        let n = match s.read(&mut buf) {
            Ok(0) => return Ok(seen),
            Ok(n) => n,
            Err(e) if gone(&e) => return Ok(seen),
            Err(e) => return Err(e),
        };
        pending.extend(&buf[..n]);
        while let Some(len) = whole_message(&pending) {
            let msg: Vec<u8> = pending.drain(..len).collect();
            if msg[1] == 1 {
                let serial = u32::from_le_bytes([msg[8], msg[9], msg[10], msg[11]]);
                seen.answered += 1;
                match s.write_all(&method_return(serial, 1000 + seen.answered as u32)) {
                    Err(e) if gone(&e) => return Ok(seen),
                    other => other?,
                }
            }
        }
    }
}

fn fake_peer(pause: Duration) -> (std::path::PathBuf, JoinHandle<std::io::Result<Seen>>) {
    let dir = std::env::temp_dir().join(format!(
        "cgroups-systemd-p2p-{}-{}",
        std::process::id(),
        pause.as_millis()
    ));
    let _ = std::fs::remove_file(&dir);
    let listener = UnixListener::bind(&dir).expect("bind the fake peer");
    let server = std::thread::spawn(move || {
        let (s, _) = listener.accept()?;
        serve(s, pause)
    });
    (dir, server)
}

#[test]
fn a_call_read_together_with_begin_is_answered_after_the_next_ping() {
    let (path, server) = fake_peer(Duration::from_millis(30));
    let addr = nix::sys::socket::UnixAddr::new(&path).expect("socket path");
    let start = Instant::now();
    let conn = open(Bus::Private, addr).expect("the private peer answers a ping");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    drop(conn);
    let seen = server.join().expect("fake peer").expect("fake peer I/O");
    let _ = std::fs::remove_file(&path);
    assert!(
        seen.held_back,
        "the first ping did not come with BEGIN: {seen:?}"
    );
    assert!(seen.answered >= 2, "woken without a second ping: {seen:?}");
}

#[test]
fn the_private_socket_is_peer_to_peer_and_the_buses_are_not() {
    assert!(!Bus::Private.has_daemon());
    assert!(Bus::System.has_daemon());
    assert!(Bus::User.has_daemon());
}
