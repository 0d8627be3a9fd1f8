//! The pids part of a reader: `pids.current` and its companions when the pids
//! controller is on; on v2 without it, the task count of the Go reference's
//! fallback (the lines of `cgroup.procs`, or of `cgroup.threads` in a threaded
//! cgroup), marked as such by [`PidsSource`].

use crate::error::Result;
use crate::model::{PidsSource, PidsStats};
use crate::parse::{counter, flat_keyed, limit, process_count};
use crate::reader::files::{Content, Files, SlotId};

/// The pids files a reader reads.
pub(crate) enum PidsPlan {
    /// `pids.current`, `pids.max`, `pids.peak`, `pids.events`.
    Controller([SlotId; 4]),
    /// v2 without the pids controller: `cgroup.procs`, `cgroup.threads`.
    Count { procs: SlotId, threads: SlotId },
}

impl PidsPlan {
    /// The controller's files in directory `dir`.
    pub(crate) fn controller(f: &mut Files, dir: usize) -> PidsPlan {
        let names = ["pids.current", "pids.max", "pids.peak", "pids.events"];
        PidsPlan::Controller(names.map(|n| f.add(dir, n)))
    }

    /// The process lists of directory `dir`, to count when `pids.current` is
    /// absent.
    pub(crate) fn count(f: &mut Files, dir: usize) -> PidsPlan {
        PidsPlan::Count {
            procs: f.add(dir, "cgroup.procs"),
            threads: f.add(dir, "cgroup.threads"),
        }
    }

    pub(crate) fn read(&self, f: &mut Files) -> Result<Option<PidsStats>> {
        match *self {
            PidsPlan::Controller(slots) => read_controller(f, slots),
            PidsPlan::Count { procs, threads } => {
                let procs = listing(f, procs)?;
                let counted = fallback_count(procs, || listing(f, threads))?;
                Ok(counted.map(|(current, source)| PidsStats {
                    current,
                    peak: None,
                    limit: None,
                    events_max: None,
                    source,
                }))
            }
        }
    }
}

fn read_controller(
    f: &mut Files,
    [current, max, peak, events]: [SlotId; 4],
) -> Result<Option<PidsStats>> {
    let Some(current) = f.parse(current, counter)? else {
        return Ok(None);
    };
    Ok(Some(PidsStats {
        current,
        limit: Some(f.parse_required(max, limit)?),
        peak: f.parse(peak, counter)?,
        events_max: f
            .parse(events, |t| flat_keyed(t, ["max"]))?
            .and_then(|[m]| m),
        source: PidsSource::PidsCurrent,
    }))
}

/// What reading one process list gave, as far as the fallback's choice needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// The file was read and holds this many ids.
    Ids(u64),
    /// The file does not exist.
    Absent,
    /// The kernel refused the read with `EOPNOTSUPP`.
    Unsupported,
}

/// Reads and counts one process list.
fn listing(f: &mut Files, slot: SlotId) -> Result<Listing> {
    let counted = match f.read_content(slot)? {
        Content::Bytes(text) => process_count(text),
        Content::Absent => return Ok(Listing::Absent),
        Content::Unsupported => return Ok(Listing::Unsupported),
    };
    counted
        .map(Listing::Ids)
        .map_err(|e| e.in_file(f.path(slot)))
}

/// The fallback's choice, as the Go reference makes it: the count of
/// `cgroup.procs`; when the kernel refuses to read that (a threaded cgroup
/// lists no processes), the count of `cgroup.threads`, read only then. `None`
/// when neither list can be read (not a cgroup v2 directory).
pub(crate) fn fallback_count(
    procs: Listing,
    threads: impl FnOnce() -> Result<Listing>,
) -> Result<Option<(u64, PidsSource)>> {
    Ok(match procs {
        Listing::Ids(n) => Some((n, PidsSource::CgroupProcs)),
        Listing::Absent => None,
        Listing::Unsupported => match threads()? {
            Listing::Ids(n) => Some((n, PidsSource::CgroupThreads)),
            Listing::Absent | Listing::Unsupported => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::error::Error;

    fn no_threads() -> Result<Listing> {
        panic!("cgroup.threads must not be read when cgroup.procs could be")
    }

    #[test]
    fn readable_procs_are_counted_and_threads_left_unread() {
        let got = fallback_count(Listing::Ids(2), no_threads).unwrap();
        assert_eq!(got, Some((2, PidsSource::CgroupProcs)));
        let empty = fallback_count(Listing::Ids(0), no_threads).unwrap();
        assert_eq!(empty, Some((0, PidsSource::CgroupProcs)), "0 is a count");
    }

    #[test]
    fn procs_refused_with_eopnotsupp_falls_back_to_threads() {
        let got = fallback_count(Listing::Unsupported, || Ok(Listing::Ids(5))).unwrap();
        assert_eq!(got, Some((5, PidsSource::CgroupThreads)));
    }

    #[test]
    fn no_readable_list_gives_no_pids_part() {
        assert_eq!(fallback_count(Listing::Absent, no_threads).unwrap(), None);
        let none = fallback_count(Listing::Unsupported, || Ok(Listing::Absent)).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn an_error_reading_threads_is_not_hidden() {
        let failing = || Err(Error::parse("bad", b"x"));
        let err = fallback_count(Listing::Unsupported, failing).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
    }
}
