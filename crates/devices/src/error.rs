//! The one error type of `devices`.

use std::fmt;

/// What is wrong with a device rule.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text does not have the shape `<type> <major>:<minor> <access>` (missing or
    /// extra fields, no `:` between the numbers).
    Syntax,
    /// The device type is not one of `a`, `b`, `c`, `p`.
    InvalidType,
    /// A major or minor number is neither `*` nor an unsigned 32-bit decimal number.
    InvalidNumber,
    /// The access string holds a letter other than `r`, `w`, `m`, or a letter twice.
    InvalidAccess,
    /// The access string is empty: a rule must grant or deny at least one access.
    EmptyAccess,
    /// The rule is valid for a device node but not for the devices cgroup (a FIFO
    /// rule: the kernel controls only block and character devices).
    NotForCgroup,
}

/// A device rule that could not be parsed or is not valid where it is used.
///
/// The message names the input and what is wrong with it; [`Error::input`] returns
/// the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    input: String,
    problem: String,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, input: &str, problem: impl Into<String>) -> Error {
        Error {
            kind,
            input: input.to_owned(),
            problem: problem.into(),
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The rule text (or, for an OCI rule, its rendering) that was refused.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid device rule {:?}: {}", self.input, self.problem)
    }
}

impl std::error::Error for Error {}
