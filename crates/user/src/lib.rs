//! user (work in progress)
