//! Geometry, between reading and the crosswalk: coordinate systems ([`crs`]),
//! projection to British National Grid ([`project`]), validity checks and
//! repair ([`repair`]), the three in one call ([`prepare`]); and the target
//! index with the area kernels the crosswalk measures with ([`index`],
//! [`overlap`], [`cells`], [`reach`]).
//!
//! Leaves first: [`bbox`] (boxes) and [`ring`] (rings and their chains of
//! edges) use nothing else of the crate; [`chain_tree`] and [`index`] build on
//! them; [`overlap`] and [`cells`] on the index. Nothing here knows about
//! votes.

pub mod bbox;
pub mod cells;
pub mod chain_tree;
pub mod crs;
pub mod index;
pub mod overlap;
pub mod prepare;
pub mod project;
pub mod reach;
pub mod repair;
pub mod ring;

pub use cells::Cells;
pub use chain_tree::ChainTree;
pub use index::{PreparedTarget, TargetIndex};
pub use crs::{Crs, Detected};
pub use project::Projector;
pub use prepare::Prepared;
pub use repair::Repair;
