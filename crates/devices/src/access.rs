//! The access set of a device rule: read, write, mknod.

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

bitflags::bitflags! {
    /// Which accesses a device rule covers: `r` (open for reading), `w` (open for
    /// writing), `m` (create the node with mknod(2)).
    ///
    /// Printed in the kernel's canonical order `rwm`; an empty set prints as `""`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Access: u8 {
        /// `r`: open the device for reading.
        const READ = 1 << 0;
        /// `w`: open the device for writing.
        const WRITE = 1 << 1;
        /// `m`: create the device node (mknod).
        const MKNOD = 1 << 2;
    }
}

/// Letters in canonical output order.
const LETTERS: [(char, Access); 3] = [
    ('r', Access::READ),
    ('w', Access::WRITE),
    ('m', Access::MKNOD),
];

impl Access {
    /// Parses an access string such as `rwm`, `mr` or `w`.
    ///
    /// Letters may come in any order. `input` is the whole rule, for the message.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EmptyAccess`] for `""`; [`ErrorKind::InvalidAccess`] for a letter
    /// other than `r`, `w`, `m` or a repeated letter (`rr`).
    pub(crate) fn parse_in(text: &str, input: &str) -> Result<Access> {
        if text.is_empty() {
            return Err(Error::new(
                ErrorKind::EmptyAccess,
                input,
                "the access is empty; give one or more of r, w, m",
            ));
        }
        let mut access = Access::empty();
        for c in text.chars() {
            let Some(&(_, flag)) = LETTERS.iter().find(|(l, _)| *l == c) else {
                let problem = format!("unknown access letter {c:?}; only r, w and m exist");
                return Err(Error::new(ErrorKind::InvalidAccess, input, problem));
            };
            if access.contains(flag) {
                let problem = format!("access letter {c:?} appears twice");
                return Err(Error::new(ErrorKind::InvalidAccess, input, problem));
            }
            access |= flag;
        }
        Ok(access)
    }
}

impl fmt::Display for Access {
    /// Writes the letters in canonical order (`rwm`, `rm`, `w`, ...).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (letter, flag) in LETTERS {
            if self.contains(flag) {
                fmt::Write::write_char(f, letter)?;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Access {
    type Err = Error;

    /// Parses `rwm`-style text; see the rules of [`Access`].
    fn from_str(s: &str) -> Result<Access> {
        Access::parse_in(s, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_prints_in_canonical_order() {
        assert_eq!(Access::all().to_string(), "rwm");
        assert_eq!((Access::MKNOD | Access::READ).to_string(), "rm");
        assert_eq!(Access::WRITE.to_string(), "w");
        assert_eq!(Access::empty().to_string(), "");
    }

    #[test]
    fn access_parses_any_order() {
        assert_eq!("mwr".parse::<Access>().unwrap(), Access::all());
        assert_eq!(
            "mr".parse::<Access>().unwrap(),
            Access::READ | Access::MKNOD
        );
    }

    #[test]
    fn access_refuses_duplicates_unknown_letters_and_empty() {
        let dup = "rr".parse::<Access>().unwrap_err();
        assert_eq!(dup.kind(), ErrorKind::InvalidAccess);
        assert!(dup.to_string().contains("twice"), "{dup}");
        let unknown = "rwk".parse::<Access>().unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::InvalidAccess);
        assert!(unknown.to_string().contains("'k'"), "{unknown}");
        assert_eq!(
            "".parse::<Access>().unwrap_err().kind(),
            ErrorKind::EmptyAccess
        );
        assert_eq!(
            "RWM".parse::<Access>().unwrap_err().kind(),
            ErrorKind::InvalidAccess
        );
    }
}
