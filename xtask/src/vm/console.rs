//! Reading the guest's serial console: the `XTASK-VM-*` lines of `init.sh` and the
//! `ktest-summary` line each binary prints, checked into a list of problems.

/// One test binary's run in the guest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinRun {
    pub name: String,
    /// Its exit code, once `XTASK-VM-END` was seen.
    pub rc: Option<i32>,
    /// How many `ktest-summary` lines it printed.
    pub summaries: u32,
}

/// What the console said.
#[derive(Debug, Clone, Default)]
pub struct Console {
    /// `uname -r` of the guest.
    pub kernel: Option<String>,
    pub binaries: Vec<BinRun>,
    pub leftovers: Vec<String>,
    /// `XTASK-VM-PROBLEM` lines of the init script.
    pub init_problems: Vec<String>,
    /// `XTASK-VM-DONE` was seen: every binary ran and the leftover scan finished.
    pub done: bool,
}

impl Console {
    /// Takes one console line into account.
    pub fn line(&mut self, line: &str) {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim_start().starts_with("ktest-summary ") {
            if let Some(b) = self.binaries.last_mut().filter(|b| b.rc.is_none()) {
                b.summaries += 1;
            }
            return;
        }
        // A marker may follow firmware noise on the same line: look for it anywhere.
        let Some(at) = line.find("XTASK-VM-") else {
            return;
        };
        let marker = &line[at + "XTASK-VM-".len()..];
        let (word, rest) = marker.split_once(' ').unwrap_or((marker, ""));
        let rest = rest.trim();
        match word {
            "KERNEL" => self.kernel = Some(rest.to_owned()),
            "START" => self.binaries.push(BinRun {
                name: rest.to_owned(),
                ..BinRun::default()
            }),
            "END" => {
                let (name, rc) = rest.rsplit_once(" rc=").unwrap_or((rest, ""));
                let rc = rc.parse().unwrap_or(-1);
                match self.binaries.last_mut().filter(|b| b.name == name) {
                    Some(b) => b.rc = Some(rc),
                    None => self
                        .init_problems
                        .push(format!("end of {name} without its start")),
                }
            }
            "LEFTOVER" => self.leftovers.push(rest.to_owned()),
            "PROBLEM" => self.init_problems.push(rest.to_owned()),
            "DONE" => self.done = true,
            _ => {}
        }
    }

    /// Everything that makes the tier fail, apart from failed tests (those are
    /// counted from the summaries): binaries that failed, crashed or printed no
    /// summary, leftovers, init problems, a run that did not reach its end.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .init_problems
            .iter()
            .map(|p| format!("init: {p}"))
            .collect();
        for b in &self.binaries {
            match b.rc {
                None => out.push(format!("{} did not finish", b.name)),
                Some(0) => {}
                Some(137) => out.push(format!("{} was killed (timeout in the guest?)", b.name)),
                Some(rc) => out.push(format!("{} exited with {rc}", b.name)),
            }
            if b.rc.is_some() && b.summaries != 1 {
                out.push(format!(
                    "{} printed {} ktest-summary lines instead of one",
                    b.name, b.summaries
                ));
            }
        }
        for l in &self.leftovers {
            out.push(format!("LEFTOVER in the guest: {l}"));
        }
        if !self.done {
            out.push("the guest did not reach the end of its run".to_owned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
Booting from ROM..\x1b[2J
XTASK-VM-KERNEL 6.12.1-cloud-amd64
XTASK-VM-CGROUPS cgroup2 at /sys/fs/cgroup, subtree_control: cpu memory
XTASK-VM-START cgctl.e2e
test a ... ok
ktest-summary binary=cgctl.e2e tier=vm-v2 ran=1 passed=1 failed=0 ignored=0\r
XTASK-VM-END cgctl.e2e rc=0
XTASK-VM-DONE
";

    fn read(text: &str) -> Console {
        let mut c = Console::default();
        text.lines().for_each(|l| c.line(l));
        c
    }

    #[test]
    fn a_clean_run_has_no_problem() {
        let c = read(GOOD);
        assert_eq!(c.kernel.as_deref(), Some("6.12.1-cloud-amd64"));
        assert_eq!(c.binaries.len(), 1);
        assert_eq!(c.binaries[0].summaries, 1);
        assert!(c.problems().is_empty(), "{:?}", c.problems());
    }

    #[test]
    fn a_marker_after_firmware_noise_is_found() {
        let c = read("Booting from ROM..\x1b[2JXTASK-VM-KERNEL 6.1.0\n");
        assert_eq!(c.kernel.as_deref(), Some("6.1.0"));
    }

    #[test]
    fn crash_missing_summary_leftover_and_cut_run_are_problems() {
        let text = "\
XTASK-VM-START a.real_kernel
XTASK-VM-END a.real_kernel rc=139
XTASK-VM-START b.real_kernel
XTASK-VM-LEFTOVER /sys/fs/cgroup/cgtest-9-x-1
";
        let p = read(text).problems();
        assert!(
            p.iter()
                .any(|p| p.contains("a.real_kernel exited with 139")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("0 ktest-summary")), "{p:?}");
        assert!(
            p.iter().any(|p| p.contains("b.real_kernel did not finish")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("LEFTOVER")), "{p:?}");
        assert!(
            p.iter().any(|p| p.contains("did not reach the end")),
            "{p:?}"
        );
    }
}
