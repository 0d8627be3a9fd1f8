//! Unit names: the transient scope or slice a cgroup becomes, and the runtime naming
//! `slice:prefix:name` (OCI `cgroupsPath` for the systemd driver).

use crate::error::{Error, ErrorKind, Result};
use crate::escape::escape_component;
use crate::slice::{expand_slice, validate_slice};

/// The kind of transient unit.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// A `.scope`: processes started elsewhere and handed to systemd (a container).
    Scope,
    /// A `.slice`: a group of units (a pod).
    Slice,
}

impl UnitKind {
    /// The D-Bus interface suffix of the unit's type (`Scope`, `Slice`).
    pub fn interface(self) -> &'static str {
        match self {
            UnitKind::Scope => "org.freedesktop.systemd1.Scope",
            UnitKind::Slice => "org.freedesktop.systemd1.Slice",
        }
    }
}

/// The default parent slice of system units.
pub const DEFAULT_PARENT: &str = "system.slice";

/// A transient unit and the slice it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName {
    name: String,
    kind: UnitKind,
    parent: String,
}

impl UnitName {
    /// The unit for `name` below the slice `parent` (empty = `system.slice`).
    ///
    /// A `name` ending in `.slice` is a slice unit and taken as is (the prefix is
    /// ignored); anything else is the scope `<prefix>-<name>.scope`, or
    /// `<name>.scope` when `prefix` is empty (the Go reference makes `-name.scope`
    /// there; a leading `-` is legal but surprising, so we drop it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidName`] for an invalid parent slice (as
    /// [`validate_slice`], which also checks its characters and length), an empty
    /// name, a slice name that is not a valid slice, or a unit name with characters
    /// systemd refuses (allowed: ASCII letters and digits, `:`, `-`, `_`, `.`, `\`;
    /// at most 255 bytes).
    pub fn new(parent: &str, prefix: &str, name: &str) -> Result<UnitName> {
        let parent = match parent {
            "" => DEFAULT_PARENT,
            p => p,
        };
        validate_slice(parent)?;
        if name.is_empty() {
            return Err(invalid(name, "the unit name is empty"));
        }
        let (unit, kind) = if name.ends_with(".slice") {
            validate_slice(name)?;
            (name.to_owned(), UnitKind::Slice)
        } else if prefix.is_empty() {
            (format!("{name}.scope"), UnitKind::Scope)
        } else {
            (format!("{prefix}-{name}.scope"), UnitKind::Scope)
        };
        check_unit_chars(&unit)?;
        Ok(UnitName {
            name: unit,
            kind,
            parent: parent.to_owned(),
        })
    }

    /// Parses the runtime naming `slice:prefix:name` (`system.slice:docker:abc` →
    /// scope `docker-abc.scope` in `system.slice`). An empty slice is
    /// `system.slice`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidName`] when there are not exactly three `:`-separated
    /// fields, and as [`UnitName::new`].
    pub fn parse_runtime(path: &str) -> Result<UnitName> {
        let fields: Vec<&str> = path.split(':').collect();
        let [parent, prefix, name] = fields[..] else {
            let why = "expected \"slice:prefix:name\" (three fields separated by ':')";
            return Err(invalid(path, why));
        };
        UnitName::new(parent, prefix, name)
    }

    /// The unit name (`docker-abc.scope`, `kubepods-pod1.slice`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Scope or slice.
    pub fn kind(&self) -> UnitKind {
        self.kind
    }

    /// The parent slice unit (`system.slice`).
    pub fn parent(&self) -> &str {
        &self.parent
    }

    /// The cgroup path of the unit from the hierarchy root, as systemd names it.
    ///
    /// A scope is in its parent slice's directory. A slice is where systemd puts it,
    /// which its name alone decides (`a-b.slice` → `/a.slice/a-b.slice`); the parent
    /// only becomes `Wants=`. Every component is escaped as systemd escapes it (see
    /// [`expand_slice`]): the scope `memory.scope` in `-.slice` is at
    /// `/_memory.scope`, `x.scope` in `cpu.slice` at `/_cpu.slice/x.scope`.
    pub fn cgroup_path(&self) -> String {
        let slice = match self.kind {
            // Both were validated when the name was made.
            UnitKind::Slice => expand_slice(&self.name),
            UnitKind::Scope => expand_slice(&self.parent),
        }
        .unwrap_or_else(|_| "/".to_owned());
        let own = escape_component(&self.name);
        match (self.kind, slice.as_str()) {
            (UnitKind::Slice, _) => slice,
            (UnitKind::Scope, "/") => format!("/{own}"),
            (UnitKind::Scope, _) => format!("{slice}/{own}"),
        }
    }
}

/// The longest unit name systemd accepts, in bytes.
const UNIT_NAME_MAX: usize = 255;

/// Refuses a unit name systemd would refuse for its characters or length: allowed
/// are ASCII letters and digits, `:`, `-`, `_`, `.` and `\`, at most 255 bytes.
pub(crate) fn check_unit_chars(unit: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ":-_.\\".contains(c);
    if let Some(c) = unit.chars().find(|&c| !allowed(c)) {
        let why = format!(
            "systemd refuses the character {c:?} in unit names \
             (allowed: ASCII letters and digits, ':', '-', '_', '.', '\\')"
        );
        return Err(invalid(unit, &why));
    }
    if unit.len() > UNIT_NAME_MAX {
        let why = format!(
            "a unit name is at most {UNIT_NAME_MAX} bytes, this one has {}",
            unit.len()
        );
        return Err(invalid(unit, &why));
    }
    Ok(())
}

#[cold]
fn invalid(name: &str, why: &str) -> Error {
    Error::new(ErrorKind::InvalidName, format!("invalid unit name: {why}")).with_value(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c26_runtime_naming_makes_a_scope_in_the_slice() {
        let unit = UnitName::parse_runtime("system.slice:svc:abc123").unwrap();
        assert_eq!(unit.name(), "svc-abc123.scope");
        assert_eq!(unit.kind(), UnitKind::Scope);
        assert_eq!(unit.parent(), "system.slice");
        assert_eq!(unit.cgroup_path(), "/system.slice/svc-abc123.scope");
    }

    #[test]
    fn runtime_naming_with_an_empty_slice_uses_system_slice() {
        let unit = UnitName::parse_runtime(":docker:ab").unwrap();
        assert_eq!(unit.cgroup_path(), "/system.slice/docker-ab.scope");
    }

    #[test]
    fn scope_in_a_nested_slice_is_below_its_expanded_path() {
        let unit = UnitName::new("kubepods-burstable.slice", "cri", "c1").unwrap();
        assert_eq!(
            unit.cgroup_path(),
            "/kubepods.slice/kubepods-burstable.slice/cri-c1.scope"
        );
        let root = UnitName::new("-.slice", "", "c1").unwrap();
        assert_eq!(root.name(), "c1.scope");
        assert_eq!(root.cgroup_path(), "/c1.scope");
    }

    #[test]
    fn slice_unit_is_placed_by_its_own_name() {
        let unit = UnitName::new("kubepods.slice", "ignored", "kubepods-pod1.slice").unwrap();
        assert_eq!(unit.kind(), UnitKind::Slice);
        assert_eq!(unit.name(), "kubepods-pod1.slice");
        assert_eq!(unit.cgroup_path(), "/kubepods.slice/kubepods-pod1.slice");
        assert_eq!(unit.kind().interface(), "org.freedesktop.systemd1.Slice");
    }

    #[test]
    fn units_systemd_escapes_have_escaped_cgroup_paths() {
        let root = UnitName::new("-.slice", "", "memory").unwrap();
        assert_eq!(root.name(), "memory.scope");
        assert_eq!(root.cgroup_path(), "/_memory.scope");
        let in_cpu = UnitName::new("cpu.slice", "", "x").unwrap();
        assert_eq!(in_cpu.cgroup_path(), "/_cpu.slice/x.scope");
        let nested = UnitName::new("a-cpu.slice", "rt", "_c").unwrap();
        assert_eq!(nested.cgroup_path(), "/a.slice/a-cpu.slice/rt-_c.scope");
        let hidden = UnitName::new("system.slice", "", "_c").unwrap();
        assert_eq!(hidden.cgroup_path(), "/system.slice/__c.scope");
        let slice = UnitName::new("system.slice", "", "pids.slice").unwrap();
        assert_eq!(slice.cgroup_path(), "/_pids.slice");
        let sub = UnitName::new("-.slice", "", "_x-y.slice").unwrap();
        assert_eq!(sub.cgroup_path(), "/__x.slice/__x-y.slice");
    }

    #[test]
    fn parent_slices_with_characters_systemd_refuses_are_refused() {
        for bad in ["a b.slice", "a@b.slice", "a\nb.slice"] {
            let err = UnitName::new(bad, "rt", "c1").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{bad:?}");
            assert_eq!(err.value(), Some(bad));
            assert!(err.to_string().contains("refuses the character"), "{err}");
        }
        let long = format!("{}.slice", "p".repeat(300));
        let err = UnitName::new(&long, "rt", "c1").unwrap_err();
        assert_eq!(err.value(), Some(long.as_str()));
        let err = UnitName::parse_runtime("a b.slice:rt:c1").unwrap_err();
        assert_eq!(err.value(), Some("a b.slice"));
    }

    #[test]
    fn scope_names_longer_than_255_bytes_are_refused() {
        let name = "n".repeat(255 - ".scope".len());
        assert!(UnitName::new("", "", &name).is_ok());
        let err = UnitName::new("", "", &format!("{name}n")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidName);
        assert!(err.to_string().contains("255"), "{err}");
    }

    #[test]
    fn bad_runtime_names_are_refused() {
        for bad in [
            "system.slice:docker",
            "a:b:c:d",
            "system.slice:docker:",
            "system:docker:abc",
            "system.slice:docker:a/b",
            "system.slice:docker:a b",
            "system.slice:x:a--b.slice",
        ] {
            let err = UnitName::parse_runtime(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{bad}");
        }
    }
}
