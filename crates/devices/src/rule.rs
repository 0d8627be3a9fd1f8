//! The device rule and its kernel syntax (`devices.allow`, `devices.deny`,
//! `devices.list`).

use std::fmt;

use crate::access::Access;
use crate::error::{Error, ErrorKind, Result};

/// The kind of device a rule applies to, by its kernel letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceType {
    /// `a`: every device, block and character (a wildcard rule).
    All,
    /// `b`: block devices.
    Block,
    /// `c`: character devices.
    Char,
    /// `p`: FIFOs. Only meaningful for device nodes; the devices cgroup does not
    /// know this type, so [`Rule::validate_for_cgroup`] refuses it.
    Fifo,
}

impl DeviceType {
    /// The kernel letter: `a`, `b`, `c` or `p`.
    pub fn letter(self) -> char {
        match self {
            DeviceType::All => 'a',
            DeviceType::Block => 'b',
            DeviceType::Char => 'c',
            DeviceType::Fifo => 'p',
        }
    }

    /// The type of a kernel letter; `None` for any other character.
    pub fn from_letter(letter: char) -> Option<DeviceType> {
        match letter {
            'a' => Some(DeviceType::All),
            'b' => Some(DeviceType::Block),
            'c' => Some(DeviceType::Char),
            'p' => Some(DeviceType::Fifo),
            _ => None,
        }
    }
}

impl fmt::Display for DeviceType {
    /// Writes the kernel letter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Write::write_char(f, self.letter())
    }
}

/// One device rule: which devices, which accesses, and whether they are allowed or
/// denied.
///
/// The kernel text of a rule is `<type> <major>:<minor> <access>`, for example
/// `c 1:3 rwm` (`/dev/null`), `b 8:* m` or `a *:* rwm`; `*` is a wildcard number and
/// is `None` here. The text does not say whether the rule allows or denies: on
/// cgroup v1 that is the file it is written to (`devices.allow` or `devices.deny`),
/// so [`Rule::parse`] takes it as an argument and [`Display`](fmt::Display) prints
/// the text alone.
///
/// A rule of type [`DeviceType::All`] means every device whatever its numbers and
/// access: the kernel ignores the rest of an `a` line and resets the cgroup to
/// allow-all (`allow`) or deny-all (deny). The numbers and access are kept as given
/// so that text round-trips.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Which kind of device.
    pub kind: DeviceType,
    /// Major number; `None` is the wildcard `*`.
    pub major: Option<u32>,
    /// Minor number; `None` is the wildcard `*`.
    pub minor: Option<u32>,
    /// Accesses covered.
    pub access: Access,
    /// `true`: the accesses are allowed; `false`: denied.
    pub allow: bool,
}

impl Rule {
    /// A rule from its parts; `None` numbers are the wildcard `*`.
    pub fn new(
        kind: DeviceType,
        major: Option<u32>,
        minor: Option<u32>,
        access: Access,
        allow: bool,
    ) -> Self {
        Rule {
            kind,
            major,
            minor,
            access,
            allow,
        }
    }

    /// Parses the kernel text of a rule and marks it allowed or denied.
    ///
    /// Accepted: `<type> <major>:<minor> <access>` with fields separated by
    /// whitespace (leading and trailing whitespace, such as the newline of a
    /// `devices.list` line, is ignored), and the bare `a` that `devices.allow` and
    /// `devices.deny` accept for "every device, every access". Access letters may
    /// come in any order.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Syntax`] for missing or extra fields or a missing `:`;
    /// [`ErrorKind::InvalidType`] for a type other than `a`, `b`, `c`, `p`;
    /// [`ErrorKind::InvalidNumber`] for a major or minor that is not `*` or a
    /// decimal `u32` (negative numbers included); [`ErrorKind::InvalidAccess`] for an
    /// unknown or repeated access letter; [`ErrorKind::EmptyAccess`] when the access
    /// is missing.
    pub fn parse(text: &str, allow: bool) -> Result<Rule> {
        let mut fields = text.split_ascii_whitespace();
        let Some(kind_field) = fields.next() else {
            return Err(Error::new(ErrorKind::Syntax, text, "the rule is empty"));
        };
        let kind = parse_type(kind_field, text)?;

        let Some(numbers) = fields.next() else {
            if kind == DeviceType::All {
                return Ok(Rule::every_device(allow));
            }
            let problem = "the <major>:<minor> field is missing";
            return Err(Error::new(ErrorKind::Syntax, text, problem));
        };
        let Some((major, minor)) = numbers.split_once(':') else {
            let problem = format!("{numbers:?} is not <major>:<minor>");
            return Err(Error::new(ErrorKind::Syntax, text, problem));
        };
        let major = parse_number(major, "major", text)?;
        let minor = parse_number(minor, "minor", text)?;

        let access = Access::parse_in(fields.next().unwrap_or(""), text)?;
        if let Some(extra) = fields.next() {
            let problem = format!("unexpected field {extra:?} after the access");
            return Err(Error::new(ErrorKind::Syntax, text, problem));
        }
        Ok(Rule {
            kind,
            major,
            minor,
            access,
            allow,
        })
    }

    /// The rule `a *:* rwm`: every device, every access.
    pub fn every_device(allow: bool) -> Rule {
        Rule {
            kind: DeviceType::All,
            major: None,
            minor: None,
            access: Access::all(),
            allow,
        }
    }

    /// Checks that the devices cgroup can enforce this rule.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotForCgroup`] for a [`DeviceType::Fifo`] rule (the controller
    /// knows only block and character devices); [`ErrorKind::EmptyAccess`] for a
    /// rule that covers no access.
    pub fn validate_for_cgroup(&self) -> Result<()> {
        if self.kind == DeviceType::Fifo {
            let problem = "FIFO rules (type p) apply to device nodes only; \
                           the devices cgroup controls block (b) and character (c) devices";
            return Err(Error::new(
                ErrorKind::NotForCgroup,
                &self.to_string(),
                problem,
            ));
        }
        if self.access.is_empty() {
            let problem = "the access is empty; give one or more of r, w, m";
            return Err(Error::new(
                ErrorKind::EmptyAccess,
                &self.to_string(),
                problem,
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Rule {
    /// Writes the kernel text, `<type> <major>:<minor> <access>`, with `*` for a
    /// wildcard and the access in canonical `rwm` order (a bare `a` is written in
    /// full, `a *:* rwm`, as `devices.list` shows it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.kind)?;
        write_number(f, self.major)?;
        f.write_str(":")?;
        write_number(f, self.minor)?;
        write!(f, " {}", self.access)
    }
}

impl std::str::FromStr for Rule {
    type Err = Error;

    /// Parses the kernel text as an **allow** rule, the meaning of every line of
    /// `devices.list`. Use [`Rule::parse`] to choose.
    fn from_str(s: &str) -> Result<Rule> {
        Rule::parse(s, true)
    }
}

fn write_number(f: &mut fmt::Formatter<'_>, n: Option<u32>) -> fmt::Result {
    match n {
        Some(n) => write!(f, "{n}"),
        None => f.write_str("*"),
    }
}

fn parse_type(field: &str, input: &str) -> Result<DeviceType> {
    let mut chars = field.chars();
    let kind = match (chars.next(), chars.next()) {
        (Some(c), None) => DeviceType::from_letter(c),
        _ => None,
    };
    kind.ok_or_else(|| {
        let problem = format!("unknown device type {field:?}; use a, b, c or p");
        Error::new(ErrorKind::InvalidType, input, problem)
    })
}

fn parse_number(field: &str, which: &str, input: &str) -> Result<Option<u32>> {
    if field == "*" {
        return Ok(None);
    }
    let bad = |problem: String| Error::new(ErrorKind::InvalidNumber, input, problem);
    let digits = field.strip_prefix('-').unwrap_or(field);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "{which} number {field:?} is neither * nor a number"
        )));
    }
    if digits.len() != field.len() {
        return Err(bad(format!(
            "{which} number {field:?} is negative; use * for any {which}"
        )));
    }
    field.parse::<u32>().map(Some).map_err(|_| {
        bad(format!(
            "{which} number {field:?} is larger than {}",
            u32::MAX
        ))
    })
}

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
