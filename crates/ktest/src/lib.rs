//! ktest (work in progress)
