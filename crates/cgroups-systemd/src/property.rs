//! Unit properties as typed values, independent of any D-Bus library.

/// A unit property: its systemd name and a typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The property name (`MemoryMax`, `DeviceAllow`).
    pub name: String,
    /// Its value, typed as D-Bus sends it.
    pub value: Value,
}

/// The value of a property, one variant per D-Bus signature used.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `b`
    Bool(bool),
    /// `s`
    Str(String),
    /// `as`
    StrList(Vec<String>),
    /// `t` (`u64::MAX` is "infinity")
    U64(u64),
    /// `au` (process ids)
    U32List(Vec<u32>),
    /// `ay` (CPU and memory-node masks)
    Bytes(Vec<u8>),
    /// `a(ss)` (device path or group, permissions)
    PairList(Vec<(String, String)>),
}

impl Property {
    /// A property `name` = `value`.
    pub fn new(name: impl Into<String>, value: Value) -> Property {
        Property {
            name: name.into(),
            value,
        }
    }

    pub(crate) fn bool(name: &str, v: bool) -> Property {
        Property::new(name, Value::Bool(v))
    }

    pub(crate) fn str(name: &str, v: impl Into<String>) -> Property {
        Property::new(name, Value::Str(v.into()))
    }

    pub(crate) fn u64(name: &str, v: u64) -> Property {
        Property::new(name, Value::U64(v))
    }
}
