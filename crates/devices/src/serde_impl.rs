//! Serialization of [`Rule`] as text (feature `serde`).
//!
//! A rule is serialized as one string: the word `allow` or `deny` (the cgroup v1
//! file it would be written to, `devices.allow` or `devices.deny`), a space, and the
//! kernel text: `"allow c 1:3 rwm"`, `"deny a *:* rwm"`. The kernel text alone
//! cannot say whether a rule allows or denies, so the word is required when
//! deserializing.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::rule::Rule;

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let verb = if self.allow { "allow" } else { "deny" };
        serializer.collect_str(&format_args!("{verb} {self}"))
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        deserializer.deserialize_str(RuleVisitor)
    }
}

struct RuleVisitor;

impl Visitor<'_> for RuleVisitor {
    type Value = Rule;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a device rule such as \"allow c 1:3 rwm\" or \"deny a\"")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Rule, E> {
        let trimmed = text.trim_start();
        let (allow, rest) = if let Some(rest) = trimmed.strip_prefix("allow ") {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("deny ") {
            (false, rest)
        } else {
            return Err(E::custom(format_args!(
                "device rule {text:?} must start with \"allow \" or \"deny \""
            )));
        };
        Rule::parse(rest, allow).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use crate::rule::Rule;

    #[test]
    fn rule_serializes_as_verb_and_kernel_text() {
        let allow: Rule = "c 1:3 mrw".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&allow).unwrap(),
            r#""allow c 1:3 rwm""#
        );
        let deny = Rule::parse("a", false).unwrap();
        assert_eq!(serde_json::to_string(&deny).unwrap(), r#""deny a *:* rwm""#);
    }

    #[test]
    fn rule_round_trips_through_json() {
        for text in ["allow c 1:3 rwm", "deny b 8:* m", "allow a *:* rwm"] {
            let json = serde_json::to_string(text).unwrap();
            let rule: Rule = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&rule).unwrap(), json);
        }
    }

    #[test]
    fn rule_without_verb_or_with_bad_text_does_not_deserialize() {
        let err = serde_json::from_str::<Rule>(r#""c 1:3 rwm""#).unwrap_err();
        assert!(err.to_string().contains("allow"), "{err}");
        let err = serde_json::from_str::<Rule>(r#""allow c 1:3 rwk""#).unwrap_err();
        assert!(err.to_string().contains("'k'"), "{err}");
    }
}
