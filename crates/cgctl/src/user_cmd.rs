//! `cgctl user ROOTFS SPEC`: resolve an OCI `process.user`-style spec against the
//! passwd and group files of a container rootfs, as a runtime would before exec.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::{Failure, Result};

#[derive(Debug, Args)]
pub struct UserArgs {
    /// The container's root filesystem; its /etc files are read with chroot semantics
    /// (symlinks and `..` stay inside it).
    pub rootfs: PathBuf,
    /// `name`, `uid`, `name:group`, `uid:gid`, or empty for the default (uid 0).
    pub spec: String,
    /// Additional groups by name or number (repeatable).
    #[arg(long = "group", short = 'g', value_name = "GROUP")]
    pub groups: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Prints uid, gid, supplementary groups and home.
pub fn user(args: UserArgs) -> Result<i32> {
    let u = user::resolve_in_rootfs(&args.rootfs, &args.spec, &args.groups).map_err(|e| {
        let mut message = format!(
            "resolving user {:?} in {}: {e}",
            args.spec,
            args.rootfs.display()
        );
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        Failure::usage(message)
    })?;
    if args.json {
        let doc = json!({ "uid": u.uid, "gid": u.gid, "groups": u.sgids, "home": u.home });
        crate::out(&format!("{doc}\n"));
    } else {
        let groups: Vec<String> = u.sgids.iter().map(u32::to_string).collect();
        crate::out(&format!(
            "uid={} gid={} groups={} home={}\n",
            u.uid,
            u.gid,
            groups.join(","),
            u.home
        ));
    }
    Ok(0)
}
