//! Reading `cargo test` output: libtest's `test result:` lines and ktest's
//! `ktest-summary` lines, added up per tier.

use std::collections::BTreeMap;

/// Counts of one test binary or of a sum of them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub binaries: u64,
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.binaries += other.binaries;
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }

    /// Tests that ran: passed plus failed.
    pub fn ran(&self) -> u64 {
        self.passed + self.failed
    }
}

/// What a whole `cargo test` run printed, added up.
#[derive(Debug, Default)]
pub struct Report {
    /// Sum of every `test result:` line (unit, integration, doc and ktest binaries).
    pub all: Counts,
    /// Sum of `ktest-summary` lines per tier.
    pub tiers: BTreeMap<String, Counts>,
    /// Lines where cargo said a test binary failed (`error: test failed, ...`).
    pub failed_binaries: Vec<String>,
}

impl Report {
    /// Takes one line of output into account.
    pub fn line(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            if let Some(c) = parse_test_result(rest) {
                self.all.add(c);
            }
        } else if let Some(rest) = line.strip_prefix("ktest-summary ") {
            if let Some((tier, c)) = parse_summary(rest) {
                self.tiers.entry(tier).or_default().add(c);
            }
        } else if line.starts_with("error: test failed") || line.contains("(signal:") {
            self.failed_binaries.push(line.to_owned());
        }
    }

    /// Unit, integration and doc tests: everything not counted by a ktest summary.
    pub fn plain(&self) -> Counts {
        let mut k = Counts::default();
        for c in self.tiers.values() {
            k.add(*c);
        }
        Counts {
            binaries: self.all.binaries.saturating_sub(k.binaries),
            passed: self.all.passed.saturating_sub(k.passed),
            failed: self.all.failed.saturating_sub(k.failed),
            ignored: self.all.ignored.saturating_sub(k.ignored),
        }
    }

    /// The table printed after the run: the unit/integration/doc row, one row per
    /// tier in `rows` (with its time and status; dashes for a tier that did not
    /// run), any other tier a summary named, and the total.
    pub fn table(&self, rows: &[Row]) -> String {
        let mut out = format!(
            "{:<16} {:>8} {:>6} {:>7} {:>7} {:>8} {:>8}  {}\n",
            "tier", "binaries", "ran", "passed", "failed", "ignored", "time", "status"
        );
        let mut line = |name: &str, c: Option<&Counts>, secs: Option<f64>, status: &str| {
            let n = |f: fn(&Counts) -> u64| c.map_or("-".to_owned(), |c| f(c).to_string());
            let time = secs.map_or("-".to_owned(), |s| format!("{s:.1}s"));
            let text = format!(
                "{:<16} {:>8} {:>6} {:>7} {:>7} {:>8} {:>8}  {}",
                name,
                n(|c| c.binaries),
                n(Counts::ran),
                n(|c| c.passed),
                n(|c| c.failed),
                n(|c| c.ignored),
                time,
                status
            );
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line("unit/integ/doc", Some(&self.plain()), None, "(host)");
        for r in rows {
            line(&r.tier, self.tiers.get(&r.tier), r.secs, &r.status);
        }
        for (tier, c) in &self.tiers {
            if !rows.iter().any(|r| &r.tier == tier) {
                line(tier, Some(c), None, "");
            }
        }
        line("total", Some(&self.all), None, "");
        out
    }
}

/// A tier's row in [`Report::table`] beyond its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub tier: String,
    /// Wall time of the tier, if it ran.
    pub secs: Option<f64>,
    /// `ok`, `FAILED: ...`, `not run: ...`.
    pub status: String,
}

/// `ok. 6 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s`
fn parse_test_result(rest: &str) -> Option<Counts> {
    let (_, counts) = rest.split_once(". ")?;
    let mut c = Counts {
        binaries: 1,
        ..Counts::default()
    };
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let n: u64 = match words.next()?.parse() {
            Ok(n) => n,
            Err(_) => continue,
        };
        match words.next() {
            Some("passed") => c.passed = n,
            Some("failed") => c.failed = n,
            Some("ignored") => c.ignored = n,
            _ => {}
        }
    }
    Some(c)
}

/// `binary=x tier=host ran=7 passed=7 failed=0 ignored=1`
fn parse_summary(rest: &str) -> Option<(String, Counts)> {
    let mut tier = None;
    let mut c = Counts {
        binaries: 1,
        ..Counts::default()
    };
    for field in rest.split_whitespace() {
        let (key, value) = field.split_once('=')?;
        match key {
            "tier" => tier = Some(value.to_owned()),
            "passed" => c.passed = value.parse().ok()?,
            "failed" => c.failed = value.parse().ok()?,
            "ignored" => c.ignored = value.parse().ok()?,
            _ => {}
        }
    }
    Some((tier?, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "\
     Running unittests src/lib.rs (target/debug/deps/ktest-62eda9563d8c0dcf)
test result: ok. 6 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
     Running tests/selftest.rs (target/debug/deps/selftest-da41d09bf740b78a)
test result: FAILED. 6 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.02s
ktest-summary binary=selftest tier=host ran=7 passed=6 failed=1 ignored=1
error: test failed, to rerun pass `-p ktest --test selftest`
   Doc-tests ktest
test result: ok. 1 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s
";

    #[test]
    fn unit_and_kernel_counts_are_separated() {
        let mut r = Report::default();
        RUN.lines().for_each(|l| r.line(l));
        assert_eq!(
            r.all,
            Counts {
                binaries: 3,
                passed: 13,
                failed: 1,
                ignored: 3
            }
        );
        assert_eq!(
            r.tiers["host"],
            Counts {
                binaries: 1,
                passed: 6,
                failed: 1,
                ignored: 1
            }
        );
        assert_eq!(
            r.plain(),
            Counts {
                binaries: 2,
                passed: 7,
                failed: 0,
                ignored: 2
            }
        );
        assert_eq!(r.failed_binaries.len(), 1);
    }

    #[test]
    fn table_has_a_row_per_tier_and_a_total() {
        let mut r = Report::default();
        RUN.lines().for_each(|l| r.line(l));
        let rows = [
            Row {
                tier: "host".to_owned(),
                secs: Some(3.0),
                status: "ok".to_owned(),
            },
            Row {
                tier: "vm-v2".to_owned(),
                secs: None,
                status: "not run: no qemu".to_owned(),
            },
        ];
        let table = r.table(&rows);
        let host = table.lines().find(|l| l.starts_with("host")).unwrap();
        assert!(host.contains("3.0s") && host.ends_with("ok"), "{table}");
        let vm = table.lines().find(|l| l.starts_with("vm-v2")).unwrap();
        assert!(
            vm.contains(" - ") && vm.ends_with("not run: no qemu"),
            "{table}"
        );
        assert!(
            table.lines().last().is_some_and(|l| l.starts_with("total")),
            "{table}"
        );
    }
}
