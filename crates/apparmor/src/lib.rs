//! apparmor (work in progress)
