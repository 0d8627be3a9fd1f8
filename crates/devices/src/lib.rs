//! devices (work in progress)
