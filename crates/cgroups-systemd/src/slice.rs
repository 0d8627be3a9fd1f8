//! Slice names: validation, expansion into the cgroup path systemd uses (C26), and
//! kubelet-style slice names built from plain components.
//!
//! systemd places a slice by its name: `a-b-c.slice` lives at
//! `/a.slice/a-b.slice/a-b-c.slice`, each `-` opening one more level. The root slice
//! `-.slice` is `/`. Each level's directory is named as systemd escapes it
//! (`cpu.slice` is `/_cpu.slice`; the rules are in [`expand_slice`]).

use crate::error::{Error, ErrorKind, Result};
use crate::escape::escape_component;
use crate::unit::check_unit_chars;

const SUFFIX: &str = ".slice";

/// The cgroup path (from the hierarchy root, with a leading `/` and no trailing `/`)
/// of the slice unit `slice`.
///
/// `"-.slice"` → `"/"`; `"user-1000.slice"` → `"/user.slice/user-1000.slice"`.
///
/// Every level is escaped as systemd names cgroup directories: a `_` goes in front
/// of a level that starts with `_` or `.`, starts with `cgroup.`, is
/// `notify_on_release`, `release_agent` or `tasks`, or whose part before the last
/// `.` is a controller name (`cpu`, `cpuacct`, `cpuset`, `io`, `blkio`, `memory`,
/// `devices`, `pids`, `bpf-firewall`, `bpf-devices`, `bpf-foreign`,
/// `bpf-socket-bind`, `bpf-restrict-network-interfaces`). `"cpu-a.slice"` →
/// `"/_cpu.slice/cpu-a.slice"`, `"_x.slice"` → `"/__x.slice"`.
///
/// # Errors
///
/// [`ErrorKind::InvalidName`] unless the name ends in `.slice`, has a non-empty base,
/// contains no `/`, and every `-`-separated component of the base is non-empty
/// (`a--b.slice`, `-a.slice` and `a-.slice` are refused, as systemd refuses them),
/// and unless it is a unit name systemd accepts: ASCII letters and digits, `:`,
/// `-`, `_`, `.` and `\` only, at most 255 bytes (`a b.slice`, `a@b.slice`).
pub fn expand_slice(slice: &str) -> Result<String> {
    let base = slice_base(slice)?;
    if base == "-" {
        return Ok("/".to_owned());
    }
    let mut path = String::new();
    let mut prefix = String::new();
    for component in base.split('-') {
        if component.is_empty() {
            return Err(invalid(slice, "an empty component between '-' separators"));
        }
        let level = format!("{prefix}{component}{SUFFIX}");
        path.push('/');
        path.push_str(&escape_component(&level));
        prefix.push_str(component);
        prefix.push('-');
    }
    Ok(path)
}

/// Checks a slice unit name with the rules of [`expand_slice`].
///
/// # Errors
///
/// As [`expand_slice`].
pub fn validate_slice(slice: &str) -> Result<()> {
    expand_slice(slice).map(drop)
}

/// The slice unit name for nested plain components, kubelet style: each component
/// has its `-` escaped as `_` (a `-` would open a level), and the levels are joined
/// with `-`. `["kubepods", "burstable", "pod12-34"]` →
/// `"kubepods-burstable-pod12_34.slice"`, which [`expand_slice`] places at
/// `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12_34.slice`.
///
/// Components already ending in `.slice` are refused rather than wrapped again (the
/// double-encoding of cri-o#842).
///
/// # Errors
///
/// [`ErrorKind::InvalidName`] for no components, an empty component, one with `/`,
/// or one ending in `.slice`, and as [`validate_slice`] for the name made (characters
/// systemd refuses, more than 255 bytes).
pub fn slice_from_components<S: AsRef<str>>(components: &[S]) -> Result<String> {
    if components.is_empty() {
        return Err(invalid("", "no components"));
    }
    let mut name = String::new();
    for component in components {
        let component = component.as_ref();
        if component.is_empty() || component.contains('/') || component.ends_with(SUFFIX) {
            let why = "a component must be a plain name without '/' and without \".slice\"";
            return Err(invalid(component, why));
        }
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(&component.replace('-', "_"));
    }
    name.push_str(SUFFIX);
    validate_slice(&name)?;
    Ok(name)
}

fn slice_base(slice: &str) -> Result<&str> {
    let Some(base) = slice.strip_suffix(SUFFIX) else {
        return Err(invalid(slice, "a slice name must end in \".slice\""));
    };
    if base.is_empty() {
        return Err(invalid(slice, "the name before \".slice\" is empty"));
    }
    if slice.contains('/') {
        return Err(invalid(slice, "a slice name cannot contain '/'"));
    }
    check_unit_chars(slice)?;
    Ok(base)
}

#[cold]
fn invalid(name: &str, why: &str) -> Error {
    Error::new(ErrorKind::InvalidName, format!("invalid slice name: {why}")).with_value(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c26_valid_slices_expand_to_nested_paths() {
        assert_eq!(expand_slice("-.slice").unwrap(), "/");
        assert_eq!(expand_slice("system.slice").unwrap(), "/system.slice");
        assert_eq!(
            expand_slice("test-a-b.slice").unwrap(),
            "/test.slice/test-a.slice/test-a-b.slice"
        );
        assert_eq!(
            expand_slice("my-foo-group.slice").unwrap(),
            "/my.slice/my-foo.slice/my-foo-group.slice"
        );
        assert_eq!(
            expand_slice("user-1000.slice").unwrap(),
            "/user.slice/user-1000.slice"
        );
    }

    #[test]
    fn c26_invalid_slices_are_refused() {
        for bad in [
            ".slice",
            "a--b.slice",
            "-a.slice",
            "a-.slice",
            "a/b.slice",
            "foo",
            "slice",
            "",
        ] {
            let err = expand_slice(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{bad}");
            assert_eq!(err.value(), Some(bad));
        }
    }

    #[test]
    fn slices_systemd_escapes_expand_to_escaped_directories() {
        // The C26 corpus table, as systemd 252 reported ControlGroup.
        assert_eq!(expand_slice("cpu.slice").unwrap(), "/_cpu.slice");
        assert_eq!(expand_slice("_x.slice").unwrap(), "/__x.slice");
        assert_eq!(expand_slice("..slice").unwrap(), "/_..slice");
        assert_eq!(expand_slice("memory.slice").unwrap(), "/_memory.slice");
        assert_eq!(
            expand_slice("bpf-firewall.slice").unwrap(),
            "/bpf.slice/_bpf-firewall.slice"
        );
    }

    #[test]
    fn each_slice_level_is_escaped_on_its_own() {
        assert_eq!(expand_slice("a-cpu.slice").unwrap(), "/a.slice/a-cpu.slice");
        assert_eq!(
            expand_slice("cpu-a.slice").unwrap(),
            "/_cpu.slice/cpu-a.slice"
        );
        assert_eq!(
            expand_slice("cpu-a-b.slice").unwrap(),
            "/_cpu.slice/cpu-a.slice/cpu-a-b.slice"
        );
        assert_eq!(
            expand_slice("_x-y.slice").unwrap(),
            "/__x.slice/__x-y.slice"
        );
    }

    #[test]
    fn characters_systemd_refuses_are_named_in_the_error() {
        for (bad, c) in [
            ("a b.slice", "' '"),
            ("a@b.slice", "'@'"),
            ("a\nb.slice", "'\\n'"),
            ("é.slice", "'é'"),
            ("a-b$.slice", "'$'"),
        ] {
            let err = validate_slice(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{bad:?}");
            assert_eq!(err.value(), Some(bad));
            assert!(err.to_string().contains(c), "{bad:?}: {err}");
            assert!(expand_slice(bad).is_err(), "{bad:?}");
        }
        assert!(validate_slice("a\\x2db:c_d.e.slice").is_ok());
    }

    #[test]
    fn slice_names_longer_than_255_bytes_are_refused() {
        let longest = format!("{}.slice", "a".repeat(255 - SUFFIX.len()));
        assert_eq!(longest.len(), 255);
        assert!(validate_slice(&longest).is_ok());
        let long = format!("{}.slice", "a".repeat(294));
        let err = validate_slice(&long).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidName);
        assert_eq!(err.value(), Some(long.as_str()));
        assert!(err.to_string().contains("255"), "{err}");
    }

    #[test]
    fn c26_kubelet_components_escape_dashes() {
        let name = slice_from_components(&["kubepods", "burstable", "pod1234-5678"]).unwrap();
        assert_eq!(name, "kubepods-burstable-pod1234_5678.slice");
        assert_eq!(
            expand_slice(&name).unwrap(),
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice"
        );
    }

    #[test]
    fn kubelet_components_already_encoded_are_refused() {
        for bad in [&["kubepods.slice"][..], &[""], &["a/b"], &[]] {
            assert!(slice_from_components(bad).is_err(), "{bad:?}");
        }
    }
}
