//! Intel RDT (and AMD PQoS) for container runtimes, through the resctrl filesystem:
//! cache allocation (CAT, CDP), memory bandwidth allocation (MBA) and monitoring
//! (CMT, MBM).
//!
//! A runtime finds resctrl with [`discover`], checks a container's [`RdtConfig`]
//! (OCI `linux.intelRdt`) against its [`Features`] by making a [`Manager`], then
//! creates or joins the container's control group (CLOS), writes its [`Schemata`],
//! adds the container's pid, reads [`Stats`], and finally destroys what the
//! container owns.
//!
//! # Files and syscalls
//!
//! | what | file (below the resctrl mount) | how |
//! |---|---|---|
//! | find the mount | `/sys/fs/resctrl`, else `/proc/self/mountinfo` | open `O_PATH`, fstatfs(2) magic `RDTGROUP_SUPER_MAGIC` (0x7655821) |
//! | [`Features`] | `info/<RES>/` dirs, `info/L3_MON/mon_features` | read |
//! | [`CacheInfo`] | `info/<RES>/{cbm_mask,min_cbm_bits,num_closids}` | read |
//! | [`BandwidthInfo`] | `info/MB/{bandwidth_gran,delay_linear,min_bandwidth,num_closids}` | read |
//! | control group | `<closID or container id>/` | mkdir(2), rmdir(2) |
//! | schemata | `<group>/schemata` | one write(2) |
//! | tasks | `<group>/tasks`, `<group>/mon_groups/<id>/tasks` | one write(2) per pid |
//! | monitoring group | `<group>/mon_groups/<container id>/` | mkdir(2), rmdir(2) |
//! | monitoring data | `<group>/mon_data/mon_L3_XX/{llc_occupancy,mbm_total_bytes,mbm_local_bytes}` | read |
//! | errors | `info/last_cmd_status` | read after a failure, added to the error |
//!
//! Every open goes through the workspace's path-safety layer beneath the resctrl root
//! handle: group names are single path components (`closID` `..` or with `/` is
//! refused), and every lookup refuses any symlink (a planted `tasks` or group
//! symlink: resctrl has none) and any crossing into another mount
//! (openat2 `RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS`,
//! or an equivalent `O_NOFOLLOW` walk on kernels without openat2).
//!
//! # Example
//!
//! ```no_run
//! use intelrdt::{Manager, RdtConfig};
//!
//! let resctrl = intelrdt::discover()?;
//! let mut config = RdtConfig::default();
//! config.l3_cache_schema = Some("L3:0=7f0;1=1f".into());
//! config.enable_monitoring = true;
//!
//! let mut manager = Manager::new(resctrl, "ctr1", config)?;
//! manager.apply()?; // mkdir /sys/fs/resctrl/ctr1 and mon_groups/ctr1
//! manager.set()?; // write "L3:0=7f0;1=1f\n" to ctr1/schemata
//! manager.add_task(4242)?; // write "4242" to both tasks files
//! for domain in manager.stats()?.monitoring {
//!     println!("L3 domain {}: {:?} bytes", domain.id, domain.llc_occupancy);
//! }
//! manager.destroy()?; // rmdir ctr1 (we created it)
//! # Ok::<(), intelrdt::Error>(())
//! ```
//!
//! # Decisions
//!
//! - **Schemata are merged per resource** before the one write: the kernel refuses a
//!   write that names a domain twice, so `memBwSchema` replaces `MB:` lines in
//!   `l3CacheSchema` (field case C33) and later `schemata` entries update earlier
//!   lines; see [`RdtConfig::schemata_to_write`].
//! - **Ownership**: only a container's own group that we created is removed; a
//!   `closID` group never is (see [`Manager`]).
//!
//! # Compatibility
//!
//! resctrl needs Linux 4.10 (CAT), 4.12 (MBA), 4.14 (monitoring) on a CPU that has
//! these features. Tests use fake trees: with the feature `test-fixtures`,
//! `Resctrl::open_test_tree` opens a tree in a temp dir that behaves like resctrl,
//! with the same symlink and mount policy.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod config;
mod error;
#[cfg(feature = "test-fixtures")]
mod fake;
mod features;
mod manager;
mod monitoring;
mod resctrl;
mod root;
mod schemata;
mod stats;

pub use config::RdtConfig;
pub use error::{Error, ErrorKind, Result};
pub use features::{BandwidthInfo, CacheInfo, Features};
pub use manager::Manager;
pub use monitoring::{Counter, MonDomain};
pub use resctrl::{DEFAULT_MOUNT_POINT, Resctrl, discover, features, is_enabled};
pub use schemata::{Resource, ResourceSchema, Schemata, parse_domain_list};
pub use stats::Stats;
