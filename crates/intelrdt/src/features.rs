//! What this resctrl offers, from its `info/` directory.

use std::path::Path;

use pathsafe::Dir;

use crate::error::{Error, Result, from_pathsafe};
use crate::root::read_text;
use crate::schemata::Resource;

/// The allocation and monitoring features of a resctrl mount.
///
/// Read from `info/`: one directory per allocation resource (`L3`, or `L3CODE` and
/// `L3DATA` when mounted with `-o cdp`; `L2`...; `MB`; `SMBA`) and `L3_MON` for
/// monitoring, whose `mon_features` lists the events.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// L3 cache allocation (CAT): `info/L3`, or `info/L3CODE` under CDP.
    pub cat: bool,
    /// L3 code/data prioritisation is on (mounted with `-o cdp`): `info/L3CODE` and
    /// `info/L3DATA`.
    pub cdp: bool,
    /// L2 cache allocation: `info/L2`, or `info/L2CODE` under L2 CDP.
    pub l2_cat: bool,
    /// L2 code/data prioritisation is on: `info/L2CODE` and `info/L2DATA`.
    pub l2_cdp: bool,
    /// Memory bandwidth allocation (MBA): `info/MB`.
    pub mba: bool,
    /// Slow memory bandwidth allocation (AMD): `info/SMBA`.
    pub smba: bool,
    /// Cache occupancy monitoring (CMT): `llc_occupancy` in `mon_features`.
    pub cmt: bool,
    /// Total memory bandwidth monitoring: `mbm_total_bytes` in `mon_features`.
    pub mbm_total: bool,
    /// Local memory bandwidth monitoring: `mbm_local_bytes` in `mon_features`.
    pub mbm_local: bool,
    /// Every allocation resource (each directory of `info/` except `*_MON`), sorted.
    pub resources: Vec<Resource>,
    /// Every line of `info/L3_MON/mon_features`, known or not.
    pub mon_features: Vec<String>,
}

impl Features {
    /// Memory bandwidth monitoring (MBM): total or local.
    pub fn mbm(&self) -> bool {
        self.mbm_total || self.mbm_local
    }

    /// Whether schemata lines for `resource` can be written here.
    pub fn has(&self, resource: &Resource) -> bool {
        self.resources.contains(resource)
    }

    /// Read the features below `root` (the resctrl root).
    pub(crate) fn read(root: &Dir) -> Result<Features> {
        let info = root.open_dir("info").map_err(|e| from_pathsafe(&e))?;
        let names = info.sub_dirs().map_err(|e| from_pathsafe(&e))?;
        let mut features = Features::default();
        for name in &names {
            if name.ends_with("_MON") {
                continue;
            }
            match name.parse::<Resource>() {
                Ok(resource) => features.resources.push(resource),
                Err(_) => log::debug!("resctrl: ignoring info/{name}: not a resource name"),
            }
        }
        features.resources.sort();
        let has = |r: Resource| features.resources.contains(&r);
        features.cdp = has(Resource::L3Code) && has(Resource::L3Data);
        features.cat = has(Resource::L3) || features.cdp;
        features.l2_cdp = has(Resource::L2Code) && has(Resource::L2Data);
        features.l2_cat = has(Resource::L2) || features.l2_cdp;
        features.mba = has(Resource::Mb);
        features.smba = has(Resource::Smba);
        if names.iter().any(|n| n == "L3_MON") {
            let text = read_text(&info, "L3_MON/mon_features")?;
            features.set_mon_features(&text);
        }
        Ok(features)
    }

    /// Take the events of `info/L3_MON/mon_features` (one per line).
    fn set_mon_features(&mut self, text: &str) {
        for event in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match event {
                "llc_occupancy" => self.cmt = true,
                "mbm_total_bytes" => self.mbm_total = true,
                "mbm_local_bytes" => self.mbm_local = true,
                other => log::debug!("resctrl: unknown monitoring event {other:?}"),
            }
            self.mon_features.push(event.to_owned());
        }
    }
}

/// Cache allocation parameters of a cache resource, from `info/<RES>/`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheInfo {
    /// `cbm_mask`: the valid capacity bitmask (all ways), hex as the kernel prints it.
    pub cbm_mask: String,
    /// `min_cbm_bits`: the fewest consecutive bits a mask may have.
    pub min_cbm_bits: u32,
    /// `num_closids`: how many control groups this resource supports.
    pub num_closids: u32,
}

impl CacheInfo {
    pub(crate) fn read(root: &Dir, resource: &Resource) -> Result<CacheInfo> {
        let dir = info_dir(root, resource)?;
        Ok(CacheInfo {
            cbm_mask: read_text(&dir, "cbm_mask")?.trim().to_owned(),
            min_cbm_bits: read_u32(&dir, "min_cbm_bits")?,
            num_closids: read_u32(&dir, "num_closids")?,
        })
    }
}

/// Memory bandwidth allocation parameters, from `info/MB/` (or `info/SMBA/`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandwidthInfo {
    /// `bandwidth_gran`: the granularity of percentages (values are rounded to it).
    pub bandwidth_gran: u32,
    /// `delay_linear`: whether the delay scale is linear (`1`) or not (`0`).
    pub delay_linear: bool,
    /// `min_bandwidth`: the smallest percentage that may be requested.
    pub min_bandwidth: u32,
    /// `num_closids`: how many control groups this resource supports.
    pub num_closids: u32,
}

impl BandwidthInfo {
    pub(crate) fn read(root: &Dir, resource: &Resource) -> Result<BandwidthInfo> {
        let dir = info_dir(root, resource)?;
        let delay_linear = match read_u32(&dir, "delay_linear")? {
            0 => false,
            1 => true,
            other => {
                let path = dir.path().join("delay_linear");
                return Err(Error::parse(&path, &other.to_string(), "expected 0 or 1"));
            }
        };
        Ok(BandwidthInfo {
            bandwidth_gran: read_u32(&dir, "bandwidth_gran")?,
            delay_linear,
            min_bandwidth: read_u32(&dir, "min_bandwidth")?,
            num_closids: read_u32(&dir, "num_closids")?,
        })
    }
}

fn info_dir(root: &Dir, resource: &Resource) -> Result<Dir> {
    root.open_dir(&format!("info/{resource}"))
        .map_err(|e| from_pathsafe(&e))
}

fn read_u32(dir: &Dir, name: &str) -> Result<u32> {
    let text = read_text(dir, name)?;
    parse_u32(&dir.path().join(name), &text)
}

pub(crate) fn parse_u32(path: &Path, text: &str) -> Result<u32> {
    text.trim()
        .parse()
        .map_err(|_| Error::parse(path, text, "expected a decimal number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MON_FEATURES: &str =
        include_str!("../tests/fixtures/resctrl/goresctrl__l3mon.mon_features");

    #[test]
    fn all_three_mon_features_enable_cmt_and_mbm() {
        let mut f = Features::default();
        f.set_mon_features(MON_FEATURES);
        assert!(f.cmt && f.mbm_total && f.mbm_local && f.mbm());
        assert_eq!(
            f.mon_features,
            ["llc_occupancy", "mbm_total_bytes", "mbm_local_bytes"]
        );
    }

    #[test]
    fn empty_mon_features_enable_nothing() {
        let mut f = Features::default();
        f.set_mon_features("");
        assert!(!f.cmt && !f.mbm());
        assert!(f.mon_features.is_empty());
    }

    #[test]
    fn unknown_mon_features_are_listed_but_enable_nothing() {
        let mut f = Features::default();
        f.set_mon_features("mbm_local_bytes\nfuture_event\n");
        assert!(f.mbm_local && !f.mbm_total && !f.cmt);
        assert_eq!(f.mon_features, ["mbm_local_bytes", "future_event"]);
    }

    #[test]
    fn numbers_with_newline_parse_and_garbage_does_not() {
        let p = Path::new("x");
        assert_eq!(parse_u32(p, "16\n").unwrap(), 16);
        assert_eq!(
            parse_u32(p, "").unwrap_err().kind(),
            crate::ErrorKind::Parse
        );
        assert_eq!(
            parse_u32(p, "-1").unwrap_err().kind(),
            crate::ErrorKind::Parse
        );
    }
}
