//! `/etc/passwd`: [`User`] entries.

use crate::id::parse_file_id;
use crate::parse::{Sealed, Syntax};
use crate::table::Table;

/// One line of a passwd file:
/// `name:password:uid:gid:gecos:home:shell`, see
/// [passwd(5)](https://man7.org/linux/man-pages/man5/passwd.5.html).
///
/// The first four fields are required: the name must not be empty, and uid and gid
/// must be plain decimal ids below 4294967295 (see [the crate page](crate#ids)).
/// `gecos`, `home` and `shell` may be missing (empty); fields after the seventh are
/// ignored, as some images have lines such as `odd:x:111:112::/home/odd:::::`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name (never empty).
    pub name: String,
    /// Password field, usually `x`.
    pub password: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Comment (full name), possibly empty.
    pub gecos: String,
    /// Home directory, possibly empty.
    pub home: String,
    /// Login shell, possibly empty.
    pub shell: String,
}

impl Sealed for User {
    const SYNTAX: Syntax = Syntax {
        comments: true,
        nis: true,
    };

    fn parse_line(line: &str) -> Result<User, &'static str> {
        let mut fields = line.split(':');
        let mut next = || fields.next().unwrap_or_default();
        let (name, password, uid, gid) = (next(), next(), next(), next());
        let (gecos, home, shell) = (next(), next(), next());
        if name.is_empty() {
            return Err("the user name is empty");
        }
        let uid = parse_file_id(uid).ok_or("uid is not a decimal id below 4294967295")?;
        let gid = parse_file_id(gid).ok_or("gid is not a decimal id below 4294967295")?;
        Ok(User {
            name: name.to_owned(),
            password: password.to_owned(),
            uid,
            gid,
            gecos: gecos.to_owned(),
            home: home.to_owned(),
            shell: shell.to_owned(),
        })
    }
}

impl Table<User> {
    /// The first user named `name`.
    pub fn by_name(&self, name: &str) -> Option<&User> {
        self.iter().find(|u| u.name == name)
    }

    /// The first user with uid `uid`.
    pub fn by_uid(&self, uid: u32) -> Option<&User> {
        self.iter().find(|u| u.uid == uid)
    }

    /// Every user with uid `uid` (several names may share a uid), in file order.
    pub fn all_by_uid(&self, uid: u32) -> impl Iterator<Item = &User> {
        self.iter().filter(move |u| u.uid == uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParseMode, ParseOptions, SkipKind, parse_passwd};

    fn one(line: &str) -> Result<User, &'static str> {
        User::parse_line(line)
    }

    #[test]
    fn a_full_line_fills_every_field() {
        let u = one("root:x:0:0:root user:/root:/bin/bash").unwrap();
        assert_eq!(
            (
                &*u.name,
                &*u.password,
                u.uid,
                u.gid,
                &*u.gecos,
                &*u.home,
                &*u.shell
            ),
            ("root", "x", 0, 0, "root user", "/root", "/bin/bash")
        );
    }

    #[test]
    fn missing_trailing_fields_are_empty_and_extra_fields_ignored() {
        let u = one("user7456:x:7456:100:User:/home/user7456").unwrap();
        assert_eq!((u.uid, &*u.home, &*u.shell), (7456, "/home/user7456", ""));
        let u = one("a:b:1:2").unwrap();
        assert_eq!((&*u.gecos, &*u.home, &*u.shell), ("", "", ""));
        let u = one("odd:x:111:112::/home/odd:::::").unwrap();
        assert_eq!(
            (u.uid, u.gid, &*u.home, &*u.shell),
            (111, 112, "/home/odd", "")
        );
    }

    #[test]
    fn fields_keep_inner_spaces() {
        let u = one("bad boys:corny cows:5:6:G E C O S").unwrap();
        assert_eq!(
            (&*u.name, &*u.password, &*u.gecos),
            ("bad boys", "corny cows", "G E C O S")
        );
    }

    #[test]
    fn lines_without_numeric_ids_are_malformed_never_uid_0() {
        let bad = [
            "this is just some garbage data",
            "broken line without colons",
            "web:x:notanumber:33::/var/www:/bin/sh",
            "web:x:33:notanumber::/var/www:/bin/sh",
            "a:b:3",
            "a:b:3:",
            "::0:0:::",
            "::::::::::",
            "x:x:-1:0::/:/bin/sh",
            "x:x:4294967295:0::/:/bin/sh",
            "x:x:4294967296:0::/:/bin/sh",
            "x:x: 0:0::/:/bin/sh",
            "x:x:0x0:0::/:/bin/sh",
        ];
        for line in bad {
            assert!(one(line).is_err(), "{line:?} parsed");
        }
    }

    #[test]
    fn c31_mixed_file_keeps_only_well_formed_users() {
        let text = "# local accounts\n\
                    root:x:0:0:root:/root:/bin/sh\n\
                    \n   daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n\
                    +@netadmins::::::\n-guest::::::\n+\n\
                    broken line without colons\n\
                    web:x:notanumber:33::/var/www:/bin/sh\n\
                    app:x:1500:1500::/home/app:/bin/sh\n";
        let users = parse_passwd(text.as_bytes()).unwrap();
        let got: Vec<(&str, u32)> = users.iter().map(|u| (&*u.name, u.uid)).collect();
        assert_eq!(got, [("root", 0), ("daemon", 1), ("app", 1500)]);
        assert_eq!(users.line_of(1), Some(4));
        let root: Vec<&str> = users.all_by_uid(0).map(|u| &*u.name).collect();
        assert_eq!(root, ["root"]);
        assert!(users.by_uid(33).is_none());
        assert!(users.by_name("web").is_none());
        assert_eq!(users.skipped_count(SkipKind::Comment), 1);
        assert_eq!(users.skipped_count(SkipKind::Blank), 1);
        assert_eq!(users.skipped_count(SkipKind::NisCompat), 3);
        let malformed: Vec<usize> = users
            .skipped()
            .iter()
            .filter(|s| s.kind() == SkipKind::Malformed)
            .map(|s| s.line())
            .collect();
        assert_eq!(malformed, [8, 9]);
    }

    #[test]
    fn strict_mode_names_file_line_and_text_of_the_first_malformed_line() {
        let text = "root:x:0:0::/root:/bin/sh\n+nis::::::\nweb:x:nan:33::/:/bin/sh\n";
        let opts = ParseOptions::new()
            .mode(ParseMode::Strict)
            .source("/r/etc/passwd");
        let err = opts.parse::<User>(text.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Parse);
        assert_eq!((err.file(), err.line()), (Some("/r/etc/passwd"), Some(3)));
        assert_eq!(err.value(), Some("web:x:nan:33::/:/bin/sh"));
        assert!(err.to_string().contains("/r/etc/passwd:3"), "{err}");
        assert!(err.to_string().contains("uid"), "{err}");
    }

    #[test]
    fn non_utf8_lines_are_malformed_but_non_utf8_comments_are_comments() {
        let text = b"# caf\xe9\nroot:x:0:0::/root:/bin/sh\ncaf\xe9:x:5:5::/:/bin/sh\n";
        let users = parse_passwd(&text[..]).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users.skipped_count(SkipKind::Comment), 1);
        assert_eq!(users.skipped()[1].reason(), "not UTF-8");
    }

    #[test]
    fn crlf_line_ends_are_trimmed() {
        let users = parse_passwd(&b"root:x:0:0::/root:/bin/sh\r\n"[..]).unwrap();
        assert_eq!(users.entries()[0].shell, "/bin/sh");
    }
}
