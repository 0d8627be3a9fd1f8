//! Raw cgroup v2 files (`Resources::unified`), written last.

use std::collections::BTreeMap;

use cgroups_core::{Error, ErrorKind, Result};
use rustix::io::Errno;

use crate::files::Files;

/// Refuses any key that is not a plain file name of the cgroup directory (`/`, `..`,
/// `.`, empty, NUL), before anything is written. Keys come from configs that a
/// container image or API caller controls.
pub(crate) fn check_keys(unified: &BTreeMap<String, String>) -> Result<()> {
    for key in unified.keys() {
        let plain = !key.is_empty()
            && key != "."
            && key != ".."
            && !key.contains('/')
            && !key.contains('\0');
        if !plain {
            let msg = "a unified key must be a plain file name of the cgroup (no '/', '..')";
            return Err(Error::new(ErrorKind::InvalidPath, msg)
                .with_field("unified")
                .with_value(key.clone()));
        }
    }
    Ok(())
}

/// Writes every key (one `write(2)` per line of its value), in key order. They come
/// after the typed fields and so override them.
///
/// EPERM or ENOENT become clearer errors: a key without `.` is not a controller
/// file; a controller missing from the cgroup's `cgroup.controllers` is named.
pub(crate) fn write(files: &dyn Files, unified: &BTreeMap<String, String>) -> Result<()> {
    for (key, value) in unified {
        if let Err(e) = files.write_lines(key, value) {
            return Err(explain(files, key, value, e));
        }
    }
    Ok(())
}

fn explain(files: &dyn Files, key: &str, value: &str, e: Error) -> Error {
    let errno = e.errno();
    let perm_or_missing = [Errno::PERM, Errno::NOENT].map(|n| Some(n.raw_os_error()));
    if !perm_or_missing.contains(&errno) {
        return e;
    }
    let path = files.dir_path().join(key);
    let Some((controller, _)) = key.split_once('.') else {
        let msg = "unified key is not a controller file: it must read CONTROLLER.PARAMETER";
        return Error::new(ErrorKind::InvalidValue, msg)
            .with_field("unified")
            .with_path(path)
            .with_value(key)
            .with_source(e);
    };
    let available = files.read("cgroup.controllers").unwrap_or_default();
    let listed = available.split_whitespace().any(|c| c == controller);
    if controller != "cgroup" && !listed {
        let msg = format!(
            "cannot set the unified key {key}: the {controller} controller is not \
             available in this cgroup (cgroup.controllers)"
        );
        return Error::new(ErrorKind::ControllerUnavailable, msg)
            .with_field("unified")
            .with_path(path)
            .with_value(controller)
            .with_source(e);
    }
    let mut out = Error::new(e.kind(), format!("cannot set the unified key {key}"))
        .with_field("unified")
        .with_path(path)
        .with_value(value);
    if let Some(errno) = errno {
        out = out.with_errno(errno);
    }
    out.with_source(e)
}
