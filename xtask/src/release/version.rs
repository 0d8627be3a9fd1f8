//! Versions and levels: the next version of a crate under Cargo's 0.y.z rules.

use std::fmt;

/// What kind of change a release carries, as the person releasing declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Breaking changes allowed.
    Major,
    /// Additions only.
    Minor,
    /// Fixes only.
    Patch,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "major" => Some(Level::Major),
            "minor" => Some(Level::Minor),
            "patch" => Some(Level::Patch),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Major => "major",
            Level::Minor => "minor",
            Level::Patch => "patch",
        }
    }
}

/// A plain `MAJOR.MINOR.PATCH` version (the workspace uses no pre-releases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, String> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        let num = |p: &str| {
            p.parse::<u64>()
                .map_err(|_| format!("version {s:?} is not MAJOR.MINOR.PATCH (no pre-releases)"))
        };
        match parts.as_slice() {
            [a, b, c] => Ok(Version {
                major: num(a)?,
                minor: num(b)?,
                patch: num(c)?,
            }),
            _ => Err(format!("version {s:?} is not MAJOR.MINOR.PATCH")),
        }
    }

    /// The next version for `level`. Cargo treats the left-most non-zero part as the
    /// breaking one: 0.y.z breaks in y (so `major` gives 0.(y+1).0 and `minor` and
    /// `patch` give 0.y.(z+1)), 0.0.z breaks on every release (always 0.0.(z+1)).
    /// `internal` crates (pathsafe) stay 0.0.N whatever the level.
    pub fn bump(self, level: Level, internal: bool) -> Version {
        let v = self;
        if internal || (v.major == 0 && v.minor == 0) {
            return Version {
                patch: v.patch + 1,
                ..v
            };
        }
        match (v.major, level) {
            (0, Level::Major) => Version {
                major: 0,
                minor: v.minor + 1,
                patch: 0,
            },
            (0, _) => Version {
                patch: v.patch + 1,
                ..v
            },
            (_, Level::Major) => Version {
                major: v.major + 1,
                minor: 0,
                patch: 0,
            },
            (_, Level::Minor) => Version {
                minor: v.minor + 1,
                patch: 0,
                ..v
            },
            (_, Level::Patch) => Version {
                patch: v.patch + 1,
                ..v
            },
        }
    }

    /// Whether `self` and `other` are semver-compatible in Cargo's sense (a `^self`
    /// requirement accepts `other` and the other way round).
    pub fn compatible(self, other: Version) -> bool {
        match (self.major, self.minor) {
            (0, 0) => self == other,
            (0, m) => other.major == 0 && other.minor == m,
            (ma, _) => other.major == ma,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn zero_y_versions_break_in_y_and_add_in_z() {
        assert_eq!(v("0.1.0").bump(Level::Major, false), v("0.2.0"));
        assert_eq!(v("0.1.3").bump(Level::Minor, false), v("0.1.4"));
        assert_eq!(v("0.1.3").bump(Level::Patch, false), v("0.1.4"));
    }

    #[test]
    fn one_and_later_follow_plain_semver() {
        assert_eq!(v("1.2.3").bump(Level::Major, false), v("2.0.0"));
        assert_eq!(v("1.2.3").bump(Level::Minor, false), v("1.3.0"));
        assert_eq!(v("1.2.3").bump(Level::Patch, false), v("1.2.4"));
    }

    #[test]
    fn pathsafe_and_zero_zero_versions_only_count_up_z() {
        for level in [Level::Major, Level::Minor, Level::Patch] {
            assert_eq!(v("0.0.1").bump(level, true), v("0.0.2"));
            assert_eq!(v("0.0.7").bump(level, false), v("0.0.8"));
        }
    }

    #[test]
    fn compatibility_follows_the_left_most_non_zero_part() {
        assert!(v("0.1.0").compatible(v("0.1.9")));
        assert!(!v("0.1.0").compatible(v("0.2.0")));
        assert!(!v("0.0.1").compatible(v("0.0.2")));
        assert!(v("1.0.0").compatible(v("1.4.0")));
        assert!(!v("1.0.0").compatible(v("2.0.0")));
    }

    #[test]
    fn pre_releases_and_junk_are_refused() {
        assert!(Version::parse("0.1.0-rc.1").is_err());
        assert!(Version::parse("0.1").is_err());
    }
}
