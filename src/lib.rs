//! # notional
//!
//! Recompute election results when boundaries change: apportion vote counts
//! from source units (wards) onto target polygons (new constituencies), and
//! report each target's notional result.
//!
//! The pipeline, one module per step, data flowing one way:
//! [`read`] → [`project`] → [`reach`] → [`repair`] → [`index`] → [`crosswalk`] → [`aggregate`] →
//! [`results`] (→ [`composition`], and [`compare`] with a later result) →
//! [`export`]. [`apportion::apportion`] runs the steps up to the results;
//! [`export::write_outputs`] writes them.
//!
//! Where ward votes do not exist, [`estimate`] builds them from old seats'
//! results (reconciled by iterative proportional fitting), and
//! [`recompute::recompute`] runs the whole route from public inputs to
//! notional results on new seats.
//!
//! ```
//! use notional::apportion::{apportion, Options};
//! use notional::progress::Silent;
//! let (wards, seats) = notional::demo::inputs();
//! let outcome = apportion(&wards, &seats, None, &Options::default(), &Silent).unwrap();
//! let summary = outcome.summary();
//! assert_eq!(summary.votes_in, summary.allocated + summary.unallocated);
//! ```

pub mod aggregate;
pub mod allocator;
mod cells;
mod chain_tree;
pub mod apportion;
pub mod check;
pub mod compare;
pub mod composition;
pub mod crosswalk;
pub mod demo;
mod error;
pub mod estimate;
pub mod export;
pub mod index;
pub mod overlap;
pub mod parties;
pub mod progress;
pub mod project;
pub mod reach;
pub mod read;
pub mod recompute;
pub mod repair;
pub mod results;
pub mod synthetic;

pub use error::{Error, Result};
