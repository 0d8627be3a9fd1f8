//! Resolving the user a container process runs as: [`exec_user`] and
//! [`additional_groups`].

use crate::id::SpecArg;
use crate::table::Table;
use crate::{Error, Group, MAX_ID, Result, User};

/// The ids and home directory a process is started with.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Supplementary group ids, without duplicates.
    pub sgids: Vec<u32>,
    /// Home directory (for `HOME`).
    pub home: String,
}

impl ExecUser {
    /// `uid`, `gid`, `home`, no supplementary groups.
    pub fn new(uid: u32, gid: u32, home: impl Into<String>) -> ExecUser {
        ExecUser {
            uid,
            gid,
            sgids: Vec::new(),
            home: home.into(),
        }
    }

    /// The same with supplementary groups `sgids`.
    #[must_use]
    pub fn with_sgids(mut self, sgids: Vec<u32>) -> ExecUser {
        self.sgids = sgids;
        self
    }
}

impl Default for ExecUser {
    /// What runtimes start from: root (uid 0, gid 0), home `/`, no supplementary groups.
    fn default() -> ExecUser {
        ExecUser::new(0, 0, "/")
    }
}

/// Resolve a user spec against a passwd and a group table, starting from `defaults`.
///
/// `spec` is `user`, `user:group` or empty; it is split at the first `:` and each part
/// may be empty, numeric or a name (see [the crate page](crate#exec-user-resolution)).
/// `None` for a table means there is no such file: names cannot be resolved, numeric
/// ids are used as they are.
///
/// 1. The user: the first passwd entry whose name equals a name, or whose uid equals a
///    numeric user (an empty user looks for `defaults.uid`). A match sets uid, gid and
///    home. No match: a name is an error, a number becomes the uid as it is.
/// 2. An explicit group: the first group entry with that name (or gid) sets the gid.
///    No match: a name is an error, a number becomes the gid as it is.
/// 3. Without an explicit group, if a user entry matched: the supplementary groups are
///    the gids of every group that lists the user's name, in file order without
///    duplicates, if there is at least one; else `defaults.sgids` stay.
///
/// # Errors
///
/// [`ErrorKind::Range`](crate::ErrorKind::Range) for a numeric part outside
/// `0..=`[`MAX_ID`], or a matched entry whose id is; [`ErrorKind::NotFound`](
/// crate::ErrorKind::NotFound) for a name without entry.
pub fn exec_user(
    spec: &str,
    defaults: &ExecUser,
    passwd: Option<&Table<User>>,
    group: Option<&Table<Group>>,
) -> Result<ExecUser> {
    let (user_part, group_part) = spec.split_once(':').unwrap_or((spec, ""));
    let user_arg = SpecArg::parse(user_part, "uid")?;
    let group_arg = SpecArg::parse(group_part, "gid")?;
    let mut out = defaults.clone();

    let want_uid = match user_arg {
        SpecArg::Absent => Some(defaults.uid),
        SpecArg::Id(id) => Some(id),
        SpecArg::Name(_) => None,
    };
    let matched = passwd.and_then(|t| {
        let found = t.find(|u| match user_arg {
            SpecArg::Name(name) => u.name == name,
            _ => want_uid == Some(u.uid),
        });
        found.map(|(line, u)| ((t.source(), line), u))
    });
    match (matched, user_arg) {
        (Some((at, user)), _) => {
            check_id("uid", user.uid, &user.name, at)?;
            check_id("gid", user.gid, &user.name, at)?;
            out.uid = user.uid;
            out.gid = user.gid;
            out.home.clone_from(&user.home);
        }
        (None, SpecArg::Name(name)) => {
            return Err(Error::not_found("user", name, passwd.map(Table::source)));
        }
        (None, SpecArg::Id(id)) => out.uid = id,
        (None, SpecArg::Absent) => {}
    }

    match group_arg {
        SpecArg::Absent => {
            if let (Some((_, user)), Some(group)) = (matched, group) {
                let sgids = member_gids(group, &user.name)?;
                if !sgids.is_empty() {
                    out.sgids = sgids;
                }
            }
        }
        SpecArg::Id(id) => out.gid = id,
        SpecArg::Name(name) => out.gid = gid_by_name(group, name)?,
    }
    Ok(out)
}

/// Resolve requested additional groups (OCI `process.user.additionalGids` or names)
/// to gids, in the order asked, without duplicates.
///
/// A numeric entry is a gid (range-checked, used as it is when no group has it); a
/// name must match a group entry (the first one wins), whose gid must be in range.
///
/// # Errors
///
/// [`ErrorKind::Range`](crate::ErrorKind::Range) for a number outside `0..=`[`MAX_ID`]
/// or a matched group with such a gid; [`ErrorKind::NotFound`](
/// crate::ErrorKind::NotFound) for a name (or an empty string) without entry.
pub fn additional_groups<S: AsRef<str>>(
    requested: &[S],
    group: Option<&Table<Group>>,
) -> Result<Vec<u32>> {
    let mut gids = Vec::new();
    for text in requested {
        let gid = match SpecArg::parse(text.as_ref(), "gid")? {
            SpecArg::Id(id) => id,
            SpecArg::Name(name) => gid_by_name(group, name)?,
            SpecArg::Absent => gid_by_name(group, "")?,
        };
        push_unique(&mut gids, gid);
    }
    Ok(gids)
}

/// Append `extra` gids to `sgids`, skipping any already present.
pub(crate) fn merge_sgids(sgids: &mut Vec<u32>, extra: &[u32]) {
    for gid in extra {
        push_unique(sgids, *gid);
    }
}

fn push_unique(gids: &mut Vec<u32>, gid: u32) {
    if !gids.contains(&gid) {
        gids.push(gid);
    }
}

fn gid_by_name(group: Option<&Table<Group>>, name: &str) -> Result<u32> {
    let Some(table) = group else {
        return Err(Error::not_found("group", name, None));
    };
    let Some((line, g)) = table.find(|g| g.name == name) else {
        return Err(Error::not_found("group", name, Some(table.source())));
    };
    check_id("gid", g.gid, &g.name, (table.source(), line))?;
    Ok(g.gid)
}

fn member_gids(group: &Table<Group>, user: &str) -> Result<Vec<u32>> {
    let mut gids = Vec::new();
    for (line, g) in group.iter_with_lines().filter(|(_, g)| g.has_member(user)) {
        check_id("gid", g.gid, &g.name, (group.source(), line))?;
        push_unique(&mut gids, g.gid);
    }
    Ok(gids)
}

fn check_id(what: &str, id: u32, name: &str, at: (&str, usize)) -> Result<()> {
    if id > MAX_ID {
        return Err(Error::entry_range(what, id, name, at));
    }
    Ok(())
}

#[cfg(test)]
#[path = "exec_user_tests.rs"]
mod tests;
