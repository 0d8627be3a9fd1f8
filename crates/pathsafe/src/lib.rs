//! pathsafe (work in progress)
