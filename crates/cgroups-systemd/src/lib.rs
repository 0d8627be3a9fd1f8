//! The systemd cgroup driver's building blocks: cgroups as transient systemd units
//! (scopes and slices) created over D-Bus, named and configured as container
//! runtimes do.
//!
//! - [`slice`](mod@slice): slice names and where systemd puts them (`a-b.slice` →
//!   `/a.slice/a-b.slice`, C26), kubelet-style names from components;
//! - [`unit`](mod@unit): the unit of a cgroup, and the runtime naming `slice:prefix:name`;
//! - [`version`]: the manager's `Version` and the features gated on it;
//! - [`properties`], [`cpu`], [`device_props`]: the typed [`property::Property`]
//!   list for a new unit and for [`Resources`](cgroups_core::Resources) (quota
//!   rounded to whole percents, CPU masks as bytes, devices with the empty
//!   `DeviceAllow` first, C27, C28), testable without a bus;
//! - [`Client`]: the D-Bus client (rustbus, no threads; one connection per process
//!   and bus, reconnect on a broken connection and after `fork`, call and job
//!   timeouts): `StartTransientUnit` waiting for the job, `StopUnit` +
//!   `ResetFailedUnit`, `KillUnit`, `SetUnitProperties`, `AttachProcessesToUnit`,
//!   property reads;
//! - [`SystemdManager`]: the [`Manager`](cgroups_core::Manager) on top of these
//!   blocks: the unit over D-Bus, then `cgroups-fs2` (unified hosts) or
//!   `cgroups-fs` (v1 and hybrid hosts) on the unit's cgroup for what systemd does
//!   not manage. A scope starts with its first process (`add_pid`).
//!
//! What it touches: the system bus socket `/run/dbus/system_bus_socket`, systemd's
//! private socket `/run/systemd/private` ([`Bus::Private`], root, no bus daemon) or
//! the user bus (`$DBUS_SESSION_BUS_ADDRESS`, `$XDG_RUNTIME_DIR/bus`). The building blocks
//! write no cgroup file; [`SystemdManager`] writes through the fs drivers (see their
//! crate pages) and reads `/proc/devices` for device rules on systemd before 240.
//!
//! # `fork`
//!
//! A forked child never uses the parent's connection: the client notices the new
//! pid and connects again. As with any lock, fork only while no other thread of the
//! process is inside a client call (the child would wait forever for the lock).
//!
//! ```no_run
//! use cgroups_core::Resources;
//! use cgroups_systemd::properties::{CgroupVersion, unit_properties};
//! use cgroups_systemd::unit::UnitName;
//! use cgroups_systemd::version::{SystemdVersion, parse_version};
//! use cgroups_systemd::{Bus, Client};
//!
//! # fn main() -> Result<(), cgroups_systemd::Error> {
//! let client = Client::new(Bus::System);
//! let version = SystemdVersion(parse_version(&client.version()?).unwrap_or(0));
//! let unit = UnitName::parse_runtime("system.slice:myrt:ctr1")?;
//! let props = unit_properties(&unit, Some(4242), &Resources::default(), CgroupVersion::V2, version);
//! client.start_transient_unit(unit.name(), &props)?;
//! println!("{}", client.unit_property(unit.name(), unit.kind().interface(), "ControlGroup")?);
//! client.stop_unit(unit.name())?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod client;
mod cloexec;
pub mod cpu;
mod decide;
pub mod device_props;
mod error;
mod escape;
mod kill;
mod manager;
mod private;
pub mod properties;
pub mod property;
pub mod slice;
mod unified;
pub mod unit;
pub mod version;
mod wire;

pub use client::{Bus, CALL_TIMEOUT, Client, JOB_TIMEOUT};
pub use error::{Error, ErrorKind, Result};
pub use kill::KillWho;
pub use manager::SystemdManager;
