//! intelrdt (work in progress)
