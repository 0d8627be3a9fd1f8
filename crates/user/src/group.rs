//! `/etc/group`: [`Group`] entries.

use crate::id::parse_file_id;
use crate::parse::{Sealed, Syntax};
use crate::table::Table;

/// One line of a group file: `name:password:gid:member,member,...`, see
/// [group(5)](https://man7.org/linux/man-pages/man5/group.5.html).
///
/// Name and gid are required (the gid as for [`User`](crate::User)); the member list
/// may be missing or empty, empty members (`a,,b`, a trailing comma) are dropped,
/// and fields after the fourth are ignored.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Group name (never empty).
    pub name: String,
    /// Password field, usually `x`.
    pub password: String,
    /// Group id.
    pub gid: u32,
    /// User names listed as members, in file order.
    pub members: Vec<String>,
}

impl Sealed for Group {
    const SYNTAX: Syntax = Syntax {
        comments: true,
        nis: true,
    };

    fn parse_line(line: &str) -> Result<Group, &'static str> {
        let mut fields = line.split(':');
        let mut next = || fields.next().unwrap_or_default();
        let (name, password, gid, members) = (next(), next(), next(), next());
        if name.is_empty() {
            return Err("the group name is empty");
        }
        let gid = parse_file_id(gid).ok_or("gid is not a decimal id below 4294967295")?;
        let members = members
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        Ok(Group {
            name: name.to_owned(),
            password: password.to_owned(),
            gid,
            members: members.collect(),
        })
    }
}

impl Group {
    /// Whether `user` is listed as a member.
    pub fn has_member(&self, user: &str) -> bool {
        self.members.iter().any(|m| m == user)
    }
}

impl Table<Group> {
    /// The first group named `name`.
    pub fn by_name(&self, name: &str) -> Option<&Group> {
        self.iter().find(|g| g.name == name)
    }

    /// The first group with gid `gid`.
    pub fn by_gid(&self, gid: u32) -> Option<&Group> {
        self.iter().find(|g| g.gid == gid)
    }

    /// Every group that lists `user` as a member, in file order.
    pub fn groups_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Group> {
        self.iter().filter(move |g| g.has_member(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SkipKind, parse_group};

    #[test]
    fn members_are_split_on_commas_and_empty_ones_dropped() {
        let g = Group::parse_line("grp:x:1234:root,,adm,").unwrap();
        assert_eq!(
            (g.gid, &g.members),
            (1234, &vec!["root".to_owned(), "adm".to_owned()])
        );
        assert!(
            Group::parse_line("users:x:100:")
                .unwrap()
                .members
                .is_empty()
        );
        assert!(Group::parse_line("users:x:100").unwrap().members.is_empty());
        let g = Group::parse_line("g:x:1:a,b:extra:fields").unwrap();
        assert_eq!(g.members, ["a", "b"]);
    }

    #[test]
    fn lines_without_a_gid_are_malformed() {
        for line in [
            "garbage",
            "g:x",
            "g:x:",
            "g:x:abc:root",
            ":x:0:root",
            "g:x:-1:",
        ] {
            assert!(Group::parse_line(line).is_err(), "{line:?}");
        }
    }

    #[test]
    fn nis_compat_and_comment_lines_never_become_groups() {
        let text = "#c\nroot:x:0:\n+:::\n+foo1:::\n-foo2:\n  # indented\n";
        let groups = parse_group(text.as_bytes()).unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups.skipped_count(SkipKind::NisCompat), 3);
        assert_eq!(groups.skipped_count(SkipKind::Comment), 2);
    }

    #[test]
    fn c30_a_120_kb_line_is_read_and_the_lines_after_it_too() {
        let members: Vec<String> = (1..=10_000).map(|i| format!("member{i:05}")).collect();
        let text = format!(
            "root:x:0:root\nusers:x:100:\nbulk:x:2000:{}\ntail:x:3000:member07456\n",
            members.join(",")
        );
        assert!(text.len() > 110_000);
        let groups = parse_group(text.as_bytes()).unwrap();
        assert_eq!(groups.by_name("bulk").unwrap().members.len(), 10_000);
        let gids: Vec<u32> = groups.groups_of("member07456").map(|g| g.gid).collect();
        assert_eq!(gids, [2000, 3000]);
    }
}
