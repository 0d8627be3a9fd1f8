//! The line reader shared by every file format, and the options of a parse.
//!
//! Lines may be of any length (a group line with 10 000 members is 120 KB); only the
//! whole input is capped, at [`DEFAULT_MAX_BYTES`] unless told otherwise. Each line
//! is classified on its bytes, leading and trailing ASCII whitespace removed:
//!
//! 1. empty: [`SkipKind::Blank`];
//! 2. starts with `#` (passwd, group, subuid, subgid): [`SkipKind::Comment`];
//! 3. starts with `+` or `-` (passwd, group): [`SkipKind::NisCompat`];
//! 4. not UTF-8, or not in the format: [`SkipKind::Malformed`] in
//!    [`ParseMode::Lenient`], an [`ErrorKind::Parse`](crate::ErrorKind::Parse) error
//!    in [`ParseMode::Strict`];
//! 5. else an entry.
//!
//! A malformed line never becomes an entry, so it can never be mistaken for uid 0.

use std::io::BufRead;

use crate::table::{SkipKind, SkippedLine, Table};
use crate::{Error, Group, IdRange, Result, SubIdRange, User};

/// The default cap on the size of a file: 16 MiB.
///
/// A passwd or group file of a big LDAP-synced host is a few MiB; past the cap a read
/// fails with [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) instead of filling
/// memory (a `/etc/group` symlinked to `/dev/zero` must fail, not hang).
pub const DEFAULT_MAX_BYTES: u64 = 16 << 20;

/// What to do with a malformed line.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParseMode {
    /// Skip it and record it in [`Table::skipped`] (what glibc does). The default.
    #[default]
    Lenient,
    /// Fail with [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line.
    /// Blank, comment and NIS compat lines are still skipped.
    Strict,
}

/// How to parse: mode, size cap, and the name of the input in messages.
///
/// ```
/// let text = "root:x:0:0:root:/root:/bin/sh\nbroken line\n";
/// let opts = user::ParseOptions::new().source("/etc/passwd");
/// assert_eq!(opts.parse::<user::User>(text.as_bytes())?.len(), 1);
///
/// let strict = opts.mode(user::ParseMode::Strict);
/// let err = strict.parse::<user::User>(text.as_bytes()).unwrap_err();
/// assert_eq!((err.kind(), err.line()), (user::ErrorKind::Parse, Some(2)));
/// # Ok::<(), user::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    mode: ParseMode,
    max_bytes: u64,
    source: String,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            mode: ParseMode::Lenient,
            max_bytes: DEFAULT_MAX_BYTES,
            source: "<input>".to_owned(),
        }
    }
}

impl ParseOptions {
    /// Lenient, capped at [`DEFAULT_MAX_BYTES`], named `"<input>"`.
    pub fn new() -> ParseOptions {
        ParseOptions::default()
    }

    /// Set the mode.
    #[must_use]
    pub fn mode(mut self, mode: ParseMode) -> ParseOptions {
        self.mode = mode;
        self
    }

    /// Set the cap on the input size in bytes (an input of exactly `max` bytes parses).
    #[must_use]
    pub fn max_bytes(mut self, max: u64) -> ParseOptions {
        self.max_bytes = max;
        self
    }

    /// Set the name of the input in messages and [`Table::source`].
    #[must_use]
    pub fn source(mut self, source: impl Into<String>) -> ParseOptions {
        self.source = source.into();
        self
    }

    /// The mode.
    pub fn get_mode(&self) -> ParseMode {
        self.mode
    }

    /// The cap in bytes.
    pub fn get_max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Parse `input` as a file of `R` records: [`User`] (passwd), [`Group`],
    /// [`SubIdRange`] (subuid, subgid) or [`IdRange`] (`uid_map`, `gid_map`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) past the cap;
    /// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a malformed line in strict
    /// mode; [`ErrorKind::Io`](crate::ErrorKind::Io) if reading fails.
    pub fn parse<R: Record>(&self, input: impl BufRead) -> Result<Table<R>> {
        let mut input = input.take(self.max_bytes.saturating_add(1));
        let mut table = Table::new(self.source.clone());
        let mut buf = Vec::new();
        let mut total: u64 = 0;
        let mut line_no = 0;
        loop {
            buf.clear();
            let n = input
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(&self.source, "read", e))?;
            if n == 0 {
                return Ok(table);
            }
            total += n as u64;
            if total > self.max_bytes {
                return Err(Error::too_large(&self.source, self.max_bytes));
            }
            line_no += 1;
            self.line::<R>(&mut table, line_no, &buf)?;
        }
    }

    fn line<R: Record>(&self, table: &mut Table<R>, no: usize, raw: &[u8]) -> Result<()> {
        let (kind, reason) = match classify::<R>(raw.trim_ascii()) {
            Ok(entry) => {
                table.push(no, entry);
                return Ok(());
            }
            Err(skip) => skip,
        };
        if kind == SkipKind::Malformed && self.mode == ParseMode::Strict {
            let text = String::from_utf8_lossy(raw.trim_ascii());
            return Err(Error::parse(&self.source, no, &text, reason));
        }
        if kind == SkipKind::Malformed {
            log::debug!("{}:{no}: skipping malformed line: {reason}", self.source);
        }
        table.skip(SkippedLine::new(no, kind, reason));
        Ok(())
    }
}

fn classify<R: Record>(line: &[u8]) -> std::result::Result<R, (SkipKind, &'static str)> {
    let syntax = R::SYNTAX;
    match line.first() {
        None => return Err((SkipKind::Blank, "blank line")),
        Some(b'#') if syntax.comments => return Err((SkipKind::Comment, "comment")),
        Some(b'+' | b'-') if syntax.nis => {
            return Err((SkipKind::NisCompat, "NIS compat line"));
        }
        Some(_) => {}
    }
    let text = std::str::from_utf8(line).map_err(|_| (SkipKind::Malformed, "not UTF-8"))?;
    R::parse_line(text).map_err(|why| (SkipKind::Malformed, why))
}

mod sealed {
    /// Which special lines a format knows.
    #[derive(Debug, Clone, Copy)]
    pub struct Syntax {
        /// Lines starting with `#` are comments.
        pub(crate) comments: bool,
        /// Lines starting with `+` or `-` are NIS compat lines.
        pub(crate) nis: bool,
    }

    /// The per-format part of parsing (crate-private).
    pub trait Sealed: Sized {
        /// Which special lines the format knows.
        const SYNTAX: Syntax;

        /// Parse one trimmed, non-blank, non-special line.
        fn parse_line(line: &str) -> Result<Self, &'static str>;
    }
}

pub(crate) use sealed::{Sealed, Syntax};

/// A record of one of the file formats this crate reads: [`User`], [`Group`],
/// [`SubIdRange`] or [`IdRange`]. Sealed: it cannot be implemented outside the crate.
pub trait Record: sealed::Sealed {}

impl Record for User {}
impl Record for Group {}
impl Record for SubIdRange {}
impl Record for IdRange {}

/// Parse a passwd file leniently (see [`ParseOptions::parse`]).
///
/// # Errors
///
/// As [`ParseOptions::parse`].
pub fn parse_passwd(input: impl BufRead) -> Result<Table<User>> {
    ParseOptions::new().parse(input)
}

/// Parse a group file leniently (see [`ParseOptions::parse`]).
///
/// # Errors
///
/// As [`ParseOptions::parse`].
pub fn parse_group(input: impl BufRead) -> Result<Table<Group>> {
    ParseOptions::new().parse(input)
}

/// Parse a subuid or subgid file leniently (see [`ParseOptions::parse`]).
///
/// # Errors
///
/// As [`ParseOptions::parse`].
pub fn parse_subid(input: impl BufRead) -> Result<Table<SubIdRange>> {
    ParseOptions::new().parse(input)
}

/// Parse a `uid_map` or `gid_map` leniently (see [`ParseOptions::parse`]).
///
/// # Errors
///
/// As [`ParseOptions::parse`].
pub fn parse_id_map(input: impl BufRead) -> Result<Table<IdRange>> {
    ParseOptions::new().parse(input)
}
