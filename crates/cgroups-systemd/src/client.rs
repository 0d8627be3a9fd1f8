//! The D-Bus client: one connection per process and bus, calls with timeouts,
//! transient units and their jobs.
//!
//! # Connections and `fork`
//!
//! [`Client`] keeps one connection per bus for the whole process, made on first use
//! and reused by every call (behind a mutex). rustbus runs no thread: every call
//! writes its message and reads on the calling thread until the reply (or the
//! budget, [`CALL_TIMEOUT`]) arrives.
//!
//! A forked child inherits the parent's socket, but the bus connection (its serial
//! numbers, its pending replies, its unique name) belongs to the parent: a child
//! that wrote to it would interleave with the parent's messages. The client records
//! the pid that made a connection; in any other process it never uses that socket
//! (it only closes its own copy) and connects anew. A connection that broke
//! (closed by the peer, I/O error) is dropped and made again once, then the call is
//! retried.
//!
//! # The private socket
//!
//! [`Bus::Private`] talks to the system manager over `/run/systemd/private`, peer to
//! peer: no bus daemon, so no `Hello`, no `AddMatch` (systemd sends its signals to
//! every direct connection anyway) and no `NameAcquired`. systemd (checked with 252)
//! does not answer a message that reaches it in the same read as the `BEGIN` that
//! ends authentication: the bytes wait in its buffer until more bytes arrive. rustbus
//! sends `BEGIN` right before the first message, so a fresh private connection is
//! woken with `org.freedesktop.DBus.Peer.Ping`s: one, and another every 50 ms until
//! a reply comes (the later bytes make systemd read, and it then answers what was
//! waiting). See `private.rs`.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustbus::connection::Timeout;
use rustbus::message_builder::{MarshalledMessage, MessageType};
use rustbus::wire::ObjectPath;
use rustbus::wire::unmarshal::traits::Variant;
use rustbus::{DuplexConn, MessageBuilder};

use crate::error::{Error, ErrorKind, Result};
use crate::property::Property;
use crate::wire;

/// Budget for one method call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Budget for a start or stop job to finish.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(30);

/// systemd's private socket.
pub(crate) const PRIVATE_SOCKET: &str = "/run/systemd/private";

pub(crate) const DEST: &str = "org.freedesktop.systemd1";
pub(crate) const PATH: &str = "/org/freedesktop/systemd1";
pub(crate) const MANAGER: &str = "org.freedesktop.systemd1.Manager";

/// Which bus to talk to systemd on.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bus {
    /// The system bus (`/run/dbus/system_bus_socket`): the system manager, as root.
    System,
    /// The user's session bus (`$DBUS_SESSION_BUS_ADDRESS`, else
    /// `$XDG_RUNTIME_DIR/bus`): the user's own systemd, rootless.
    User,
    /// systemd's private socket `/run/systemd/private`: the system manager without
    /// a bus daemon (root only; what `systemctl` uses as root). Peer to peer: no
    /// `Hello`, no match rules.
    Private,
}

impl Bus {
    /// Whether a bus daemon sits between us and systemd (it wants `Hello` and match
    /// rules); the private socket is peer to peer.
    pub(crate) fn has_daemon(self) -> bool {
        !matches!(self, Bus::Private)
    }
}

pub(crate) struct Conn {
    pub(crate) conn: DuplexConn,
    owner_pid: u32,
    /// `JobRemoved` signals read while waiting for something else: (job path, result).
    finished_jobs: Vec<(String, String)>,
}

static SYSTEM: Mutex<Option<Conn>> = Mutex::new(None);
static USER: Mutex<Option<Conn>> = Mutex::new(None);
static PRIVATE: Mutex<Option<Conn>> = Mutex::new(None);

/// A handle on the process's connection to systemd on one bus.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    bus: Bus,
}

impl Client {
    /// The client for `bus`. Connects lazily, on the first call.
    pub fn new(bus: Bus) -> Client {
        Client { bus }
    }

    fn slot(&self) -> MutexGuard<'static, Option<Conn>> {
        let slot = match self.bus {
            Bus::System => &SYSTEM,
            Bus::User => &USER,
            Bus::Private => &PRIVATE,
        };
        slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on a connection made by this process; on a broken connection
    /// reconnects once and runs `f` again.
    fn with_conn<T>(&self, f: impl Fn(&mut Conn) -> Result<T>) -> Result<T> {
        let mut slot = self.slot();
        for attempt in 0..2 {
            let pid = std::process::id();
            if slot.as_ref().is_some_and(|c| c.owner_pid != pid) {
                // Inherited across fork: not ours to use. Dropping closes our copy.
                *slot = None;
            }
            if slot.is_none() {
                *slot = Some(connect(self.bus)?);
            }
            let conn = slot.as_mut().expect("connected above");
            match f(conn) {
                Err(e) if e.kind() == ErrorKind::Io && attempt == 0 => {
                    log::debug!("systemd bus connection lost ({e}); reconnecting");
                    *slot = None;
                }
                other => return other,
            }
        }
        unreachable!("the second attempt returns")
    }

    /// The manager's `Version` property (`"252.39-1~deb12u2"`).
    pub fn version(&self) -> Result<String> {
        self.manager_property("Version")
    }

    /// A string property of the manager (`Version`, `ControlGroup`).
    pub fn manager_property(&self, name: &str) -> Result<String> {
        self.property(PATH, MANAGER, name)
    }

    /// A string property of a loaded unit, on `interface`
    /// (`org.freedesktop.systemd1.Unit`, `...Scope`).
    pub fn unit_property(&self, unit: &str, interface: &str, name: &str) -> Result<String> {
        let path = self.get_unit(unit)?;
        self.property(&path, interface, name)
    }

    /// A `t` (u64) property of a loaded unit.
    pub fn unit_property_u64(&self, unit: &str, interface: &str, name: &str) -> Result<u64> {
        let path = self.get_unit(unit)?;
        let reply = self.call(&path, "org.freedesktop.DBus.Properties", "Get", |b| {
            b.push_param2(interface, name)
        })?;
        let v: Variant<'_, '_> = parse(&reply, "Get")?;
        v.get::<u64>().map_err(|e| {
            Error::new(ErrorKind::Protocol, format!("{name} is not a u64")).with_source(e)
        })
    }

    /// An `a(ss)` property of a loaded unit (`DeviceAllow`).
    pub fn unit_property_pairs(
        &self,
        unit: &str,
        interface: &str,
        name: &str,
    ) -> Result<Vec<(String, String)>> {
        let path = self.get_unit(unit)?;
        let reply = self.call(&path, "org.freedesktop.DBus.Properties", "Get", |b| {
            b.push_param2(interface, name)
        })?;
        let v: Variant<'_, '_> = parse(&reply, "Get")?;
        v.get::<Vec<(String, String)>>().map_err(|e| {
            Error::new(ErrorKind::Protocol, format!("{name} is not a(ss)")).with_source(e)
        })
    }

    fn property(&self, path: &str, interface: &str, name: &str) -> Result<String> {
        let reply = self.call(path, "org.freedesktop.DBus.Properties", "Get", |b| {
            b.push_param2(interface, name)
        })?;
        let v: Variant<'_, '_> = parse(&reply, "Get")?;
        v.get::<String>().map_err(|e| {
            Error::new(ErrorKind::Protocol, format!("{name} is not a string")).with_source(e)
        })
    }

    /// The object path of a loaded unit.
    ///
    /// # Errors
    /// [`ErrorKind::NoSuchUnit`] when systemd does not have it loaded.
    pub fn get_unit(&self, unit: &str) -> Result<String> {
        let reply = self
            .call(PATH, MANAGER, "GetUnit", |b| b.push_param(unit))
            .map_err(|e| e.with_unit(unit))?;
        let path: ObjectPath<String> = parse(&reply, "GetUnit")?;
        Ok(path.as_ref().to_owned())
    }

    /// Starts the transient unit `unit` (mode `replace`) with `props` and waits for
    /// its job.
    ///
    /// # Errors
    /// [`ErrorKind::UnitExists`] when the unit is already there; [`ErrorKind::JobFailed`]
    /// (the unit was reset with `ResetFailedUnit`) or [`ErrorKind::Timeout`] when the
    /// job does not end with `done` within [`JOB_TIMEOUT`].
    pub fn start_transient_unit(&self, unit: &str, props: &[Property]) -> Result<()> {
        self.subscribe()?;
        let job = self.with_conn(|c| {
            let aux: Vec<(&str, Vec<(&str, wire::VariantOf<'_>)>)> = Vec::new();
            let reply = call_on(c, PATH, MANAGER, "StartTransientUnit", |b| {
                b.push_param4(unit, "replace", wire::props(props), &aux)
            })?;
            let job: ObjectPath<String> = parse(&reply, "StartTransientUnit")?;
            Ok(job.as_ref().to_owned())
        });
        let job = job.map_err(|e| e.with_unit(unit))?;
        let result = self.wait_job(&job);
        match result {
            Ok(r) if r == "done" => Ok(()),
            Ok(r) => {
                self.reset_failed_quietly(unit);
                Err(
                    Error::new(ErrorKind::JobFailed, "systemd could not start the unit")
                        .with_unit(unit)
                        .with_value(r),
                )
            }
            Err(e) => {
                self.reset_failed_quietly(unit);
                Err(e.with_unit(unit))
            }
        }
    }

    /// Stops `unit` (mode `replace`), waits for the job, then resets its failed
    /// state. A unit that is not loaded is already stopped (success). A stop job that
    /// ends with another result than `done` is logged, not an error.
    ///
    /// # Errors
    /// [`ErrorKind::Timeout`] when the stop job does not end within [`JOB_TIMEOUT`];
    /// other call errors.
    pub fn stop_unit(&self, unit: &str) -> Result<()> {
        self.subscribe()?;
        let job = self.with_conn(|c| {
            let reply = call_on(c, PATH, MANAGER, "StopUnit", |b| {
                b.push_param2(unit, "replace")
            })?;
            let job: ObjectPath<String> = parse(&reply, "StopUnit")?;
            Ok(job.as_ref().to_owned())
        });
        let outcome = match job {
            Ok(job) => match self.wait_job(&job) {
                Ok(r) if r != "done" => {
                    log::warn!("stopping {unit}: job ended with {r}");
                    Ok(())
                }
                Ok(_) => Ok(()),
                Err(e) => Err(e.with_unit(unit)),
            },
            Err(e) if e.kind() == ErrorKind::NoSuchUnit => Ok(()),
            Err(e) => Err(e.with_unit(unit)),
        };
        self.reset_failed_quietly(unit);
        outcome
    }

    /// `ResetFailedUnit`.
    pub fn reset_failed_unit(&self, unit: &str) -> Result<()> {
        self.call(PATH, MANAGER, "ResetFailedUnit", |b| b.push_param(unit))
            .map(drop)
            .map_err(|e| e.with_unit(unit))
    }

    fn reset_failed_quietly(&self, unit: &str) {
        if let Err(e) = self.reset_failed_unit(unit)
            && e.kind() != ErrorKind::NoSuchUnit
        {
            log::warn!("resetting {unit}: {e}");
        }
    }

    /// `SetUnitProperties(unit, runtime=true, props)`.
    pub fn set_unit_properties(&self, unit: &str, props: &[Property]) -> Result<()> {
        self.call(PATH, MANAGER, "SetUnitProperties", |b| {
            b.push_param3(unit, true, wire::props(props))
        })
        .map(drop)
        .map_err(|e| e.with_unit(unit))
    }

    /// `AttachProcessesToUnit(unit, sub, [pid])`: moves `pid` into the unit's cgroup
    /// or its sub-cgroup `sub` (`""` or `/` is the unit's own cgroup).
    pub fn attach_process(&self, unit: &str, sub: &str, pid: u32) -> Result<()> {
        let sub = if sub.starts_with('/') {
            sub.to_owned()
        } else {
            format!("/{sub}")
        };
        self.call(PATH, MANAGER, "AttachProcessesToUnit", |b| {
            b.push_param3(unit, sub.as_str(), vec![pid])
        })
        .map(drop)
        .map_err(|e| e.with_unit(unit))
    }

    fn subscribe(&self) -> Result<()> {
        if !self.bus.has_daemon() {
            // systemd sends job signals to every direct connection.
            return Ok(());
        }
        let rule = "type='signal',sender='org.freedesktop.systemd1',\
                    interface='org.freedesktop.systemd1.Manager',member='JobRemoved'";
        self.call(
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            |b| b.push_param(rule),
        )?;
        // Subscribe makes the manager emit job signals; a second call is harmless
        // and fails only with "already subscribed", which we ignore.
        match self.call(PATH, MANAGER, "Subscribe", |_| Ok(())) {
            Err(e) if e.kind() == ErrorKind::MethodFailed => Ok(()),
            other => other.map(drop),
        }
    }

    fn wait_job(&self, job: &str) -> Result<String> {
        let deadline = Instant::now() + JOB_TIMEOUT;
        self.with_conn(|c| {
            loop {
                if let Some(i) = c.finished_jobs.iter().position(|(j, _)| j == job) {
                    return Ok(c.finished_jobs.swap_remove(i).1);
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(
                        Error::new(ErrorKind::Timeout, "the systemd job did not finish")
                            .with_value(job),
                    );
                }
                let msg = c.conn.recv.get_next_message(Timeout::Duration(left));
                let msg = msg.map_err(|e| conn_error(e, "reading a job signal"))?;
                note_signal(c, &msg);
            }
        })
    }

    pub(crate) fn call(
        &self,
        path: &str,
        interface: &str,
        member: &str,
        body: impl Fn(&mut rustbus::message_builder::MarshalledMessageBody) -> MarshalResult,
    ) -> Result<MarshalledMessage> {
        self.with_conn(|c| call_on(c, path, interface, member, &body))
    }
}

pub(crate) type MarshalResult = std::result::Result<(), rustbus::wire::errors::MarshalError>;

fn call_on(
    c: &mut Conn,
    path: &str,
    interface: &str,
    member: &str,
    body: impl Fn(&mut rustbus::message_builder::MarshalledMessageBody) -> MarshalResult,
) -> Result<MarshalledMessage> {
    let dest = if interface == "org.freedesktop.DBus" {
        "org.freedesktop.DBus"
    } else {
        DEST
    };
    let mut msg = MessageBuilder::new()
        .call(member)
        .with_interface(interface)
        .on(path)
        .at(dest)
        .build();
    body(&mut msg.body).map_err(|e| {
        Error::new(ErrorKind::Protocol, format!("cannot encode {member}")).with_source(e)
    })?;
    let deadline = Instant::now() + CALL_TIMEOUT;
    let serial = c
        .conn
        .send
        .send_message(&msg)
        .map_err(|e| conn_error(e, "sending"))?
        .write(Timeout::Duration(CALL_TIMEOUT))
        .map_err(|(_, e)| conn_error(e, "sending"))?;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let reply = c.conn.recv.get_next_message(Timeout::Duration(left));
        let reply = reply.map_err(|e| conn_error(e, member))?;
        if reply.dynheader.response_serial != Some(serial) {
            note_signal(c, &reply);
            continue;
        }
        return match reply.typ {
            MessageType::Error => Err(method_error(member, &reply)),
            _ => Ok(reply),
        };
    }
}

/// Keeps a `JobRemoved(u id, o job, s unit, s result)` signal for [`Client::wait_job`].
pub(crate) fn note_signal(c: &mut Conn, msg: &MarshalledMessage) {
    if msg.typ != MessageType::Signal || msg.dynheader.member.as_deref() != Some("JobRemoved") {
        return;
    }
    let mut parser = msg.body.parser();
    let parsed = (|| {
        let _id: u32 = parser.get().ok()?;
        let job: ObjectPath<String> = parser.get().ok()?;
        let _unit: String = parser.get().ok()?;
        let result: String = parser.get().ok()?;
        Some((job.as_ref().to_owned(), result))
    })();
    if let Some(done) = parsed {
        c.finished_jobs.push(done);
        // Jobs of other clients are seen too; keep the buffer bounded.
        if c.finished_jobs.len() > 256 {
            c.finished_jobs.remove(0);
        }
    }
}

fn parse<'a, T: rustbus::Unmarshal<'a, 'a>>(
    reply: &'a MarshalledMessage,
    member: &str,
) -> Result<T> {
    reply.body.parser().get().map_err(|e| {
        Error::new(ErrorKind::Protocol, format!("unexpected reply to {member}")).with_source(e)
    })
}

#[cold]
pub(crate) fn method_error(member: &str, reply: &MarshalledMessage) -> Error {
    let name = reply.dynheader.error_name.clone().unwrap_or_default();
    let text: String = reply.body.parser().get().unwrap_or_default();
    let kind = match name.as_str() {
        "org.freedesktop.systemd1.UnitExists" => ErrorKind::UnitExists,
        "org.freedesktop.systemd1.NoSuchUnit" => ErrorKind::NoSuchUnit,
        "org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Timeout" => {
            ErrorKind::Timeout
        }
        _ => ErrorKind::MethodFailed,
    };
    Error::new(kind, format!("systemd refused {member}: {text}")).with_dbus_name(name)
}

#[cold]
pub(crate) fn conn_error(e: rustbus::connection::Error, doing: &str) -> Error {
    use rustbus::connection::Error as E;
    let kind = match e {
        E::TimedOut => ErrorKind::Timeout,
        E::UnmarshalError(_) | E::MarshalError(_) => ErrorKind::Protocol,
        _ => ErrorKind::Io,
    };
    Error::new(kind, format!("D-Bus connection failed while {doing}")).with_source(e)
}

fn connect(bus: Bus) -> Result<Conn> {
    let addr = match bus {
        Bus::System => rustbus::get_system_bus_path(),
        Bus::User => rustbus::get_session_bus_path().or_else(|_| {
            let dir = std::env::var_os("XDG_RUNTIME_DIR")
                .ok_or(rustbus::connection::Error::NoAddressFound)?;
            let path = std::path::Path::new(&dir).join("bus");
            nix::sys::socket::UnixAddr::new(&path).map_err(rustbus::connection::Error::NixError)
        }),
        Bus::Private => nix::sys::socket::UnixAddr::new(PRIVATE_SOCKET)
            .map_err(rustbus::connection::Error::NixError),
    };
    let fail =
        |e: rustbus::connection::Error| Error::new(ErrorKind::Connect, hint(bus)).with_source(e);
    open(bus, addr.map_err(fail)?).map_err(|e| match e.kind() {
        ErrorKind::Timeout => e,
        _ => Error::new(ErrorKind::Connect, hint(bus)).with_source(e),
    })
}

/// What to check when `bus` cannot be reached.
fn hint(bus: Bus) -> &'static str {
    match bus {
        Bus::System => "cannot reach the system bus (is dbus running?)",
        Bus::User => {
            "cannot reach the user bus (no DBUS_SESSION_BUS_ADDRESS or XDG_RUNTIME_DIR/bus; install dbus-user-session)"
        }
        Bus::Private => {
            "cannot reach systemd's private socket /run/systemd/private (needs root and systemd as PID 1)"
        }
    }
}

/// Authenticates on `addr`, then says `Hello` to a bus daemon or wakes the peer.
pub(crate) fn open(bus: Bus, addr: nix::sys::socket::UnixAddr) -> Result<Conn> {
    let auth = |e| Error::new(ErrorKind::Connect, "D-Bus authentication failed").with_source(e);
    let conn = DuplexConn::connect_to_bus(addr, false).map_err(auth)?;
    crate::cloexec::set(&conn).map_err(|e| {
        Error::new(
            ErrorKind::Connect,
            "cannot mark the bus socket close-on-exec",
        )
        .with_source(e)
    })?;
    let mut conn = Conn {
        conn,
        owner_pid: std::process::id(),
        finished_jobs: Vec::new(),
    };
    if bus.has_daemon() {
        conn.conn
            .send_hello(Timeout::Duration(CALL_TIMEOUT))
            .map_err(|e| conn_error(e, "saying Hello"))?;
    } else {
        crate::private::wake_peer(&mut conn)?;
    }
    Ok(conn)
}
