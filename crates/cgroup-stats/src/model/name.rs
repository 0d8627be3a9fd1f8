//! [`ShortName`]: a short kernel-printed name held inline, so that reading it
//! allocates nothing.

/// Longest name held: the kernel's RDMA device names are at most 64 bytes
/// (`IB_DEVICE_NAME_MAX`), misc resource names are short words (`sev`, `tdx`).
pub const SHORT_NAME_MAX: usize = 64;

/// A device or resource name printed by the kernel (RDMA device, misc resource),
/// at most [`SHORT_NAME_MAX`] bytes, held inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortName {
    len: u8,
    bytes: [u8; SHORT_NAME_MAX],
}

impl ShortName {
    /// `None` when `name` is empty, longer than [`SHORT_NAME_MAX`] or not UTF-8.
    pub fn new(name: &[u8]) -> Option<ShortName> {
        if name.is_empty() || name.len() > SHORT_NAME_MAX || std::str::from_utf8(name).is_err() {
            return None;
        }
        let mut bytes = [0; SHORT_NAME_MAX];
        bytes[..name.len()].copy_from_slice(name);
        Some(ShortName {
            len: name.len() as u8,
            bytes,
        })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::fmt::Debug for ShortName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for ShortName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ShortName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
