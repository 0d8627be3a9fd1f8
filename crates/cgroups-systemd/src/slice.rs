//! Slice names: validation, expansion into the cgroup path systemd uses (C26), and
//! kubelet-style slice names built from plain components.
//!
//! systemd places a slice by its name: `a-b-c.slice` lives at
//! `/a.slice/a-b.slice/a-b-c.slice`, each `-` opening one more level. The root slice
//! `-.slice` is `/`.

use crate::error::{Error, ErrorKind, Result};

const SUFFIX: &str = ".slice";

/// The cgroup path (from the hierarchy root, with a leading `/` and no trailing `/`)
/// of the slice unit `slice`.
///
/// `"-.slice"` → `"/"`; `"user-1000.slice"` → `"/user.slice/user-1000.slice"`.
///
/// # Errors
///
/// [`ErrorKind::InvalidName`] unless the name ends in `.slice`, has a non-empty base,
/// contains no `/`, and every `-`-separated component of the base is non-empty
/// (`a--b.slice`, `-a.slice` and `a-.slice` are refused, as systemd refuses them).
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
        path.push('/');
        path.push_str(&prefix);
        path.push_str(component);
        path.push_str(SUFFIX);
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
/// or one ending in `.slice`.
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
