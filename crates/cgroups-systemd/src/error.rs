//! The one error type of `cgroups-systemd`.
//!
//! [`SystemdManager`](crate::SystemdManager) returns `cgroups_core::Error` (the
//! [`Manager`](cgroups_core::Manager) trait's type) and keeps this error as its
//! `source()`; the naming functions and the bus client return it directly.

use std::fmt;

/// What went wrong, in terms a caller can act on.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A slice, unit or cgroups-path name that systemd would refuse or that we
    /// cannot map to a cgroup ([`Error::value`] is the name).
    InvalidName,
    /// A resource value that cannot become a systemd property.
    InvalidValue,
    /// A text that should have a known format did not (the systemd version).
    Parse,
    /// No bus could be reached (no socket, refused, authentication failed).
    Connect,
    /// The connection broke or a message could not be sent or read.
    Io,
    /// systemd did not answer (or the job did not finish) within the time budget.
    Timeout,
    /// systemd answered a call with a D-Bus error ([`Error::dbus_name`] says which).
    MethodFailed,
    /// The unit already exists (`org.freedesktop.systemd1.UnitExists`).
    UnitExists,
    /// The unit is not loaded (`org.freedesktop.systemd1.NoSuchUnit`).
    NoSuchUnit,
    /// The start job ended with a result other than `done` (failed, canceled,
    /// timeout, dependency, skipped: [`Error::value`] says which); the unit was reset.
    JobFailed,
    /// A reply had a type we did not expect.
    Protocol,
}

/// An error of the systemd driver: what failed, on which unit, and why.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    unit: Option<String>,
    value: Option<String>,
    dbus_name: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                unit: None,
                value: None,
                dbus_name: None,
                source: None,
            }),
        }
    }

    pub(crate) fn with_unit(mut self, unit: impl Into<String>) -> Error {
        self.inner.unit = Some(unit.into());
        self
    }

    pub(crate) fn with_value(mut self, value: impl Into<String>) -> Error {
        self.inner.value = Some(value.into());
        self
    }

    pub(crate) fn with_dbus_name(mut self, name: impl Into<String>) -> Error {
        self.inner.dbus_name = Some(name.into());
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The systemd unit involved.
    pub fn unit(&self) -> Option<&str> {
        self.inner.unit.as_deref()
    }

    /// The name, value or job result at fault.
    pub fn value(&self) -> Option<&str> {
        self.inner.value.as_deref()
    }

    /// The D-Bus error name of a failed call (`org.freedesktop.systemd1.NoSuchUnit`).
    pub fn dbus_name(&self) -> Option<&str> {
        self.inner.dbus_name.as_deref()
    }

    /// Converts into the error of the [`Manager`](cgroups_core::Manager) trait,
    /// keeping this one as `source()`.
    pub fn into_core(self) -> cgroups_core::Error {
        use cgroups_core::ErrorKind as C;
        let kind = match self.kind() {
            ErrorKind::InvalidName => C::InvalidPath,
            ErrorKind::InvalidValue => C::InvalidValue,
            ErrorKind::Parse | ErrorKind::Protocol => C::Parse,
            ErrorKind::Timeout => C::Timeout,
            ErrorKind::NoSuchUnit => C::NotFound,
            _ => C::Io,
        };
        let mut out = cgroups_core::Error::new(kind, self.to_string());
        if let Some(value) = self.value() {
            out = out.with_value(value);
        }
        out.with_source(self)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let Some(unit) = &self.inner.unit {
            write!(f, ": unit {unit}")?;
        }
        if let Some(value) = &self.inner.value {
            write!(f, ": {value:?}")?;
        }
        if let Some(name) = &self.inner.dbus_name {
            write!(f, " ({name})")?;
        }
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("unit", &self.inner.unit)
            .field("value", &self.inner.value)
            .field("dbus_name", &self.inner.dbus_name)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}
