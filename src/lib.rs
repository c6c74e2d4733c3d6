//! # notional
//!
//! Recompute election results when boundaries change: apportion vote counts
//! from source units (wards) onto target polygons (new constituencies), and
//! report each target's notional result.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`read`] → [`geometry`] (project, check and repair, index) → [`crosswalk`] →
//! [`aggregate`] → [`results`] → [`export`]. [`apportion::apportion`] runs the
//! stages up to the results; [`export::write_outputs`] writes them;
//! [`check`] diagnoses a run.
//!
//! Beside the pipeline, [`election`]: where ward votes do not exist,
//! [`election::estimate`] builds them from old seats' results (reconciled by
//! iterative proportional fitting); [`election::composition`] and
//! [`election::compare`] describe the new seats. [`recompute::recompute`] runs
//! the whole route from public inputs to notional results on new seats;
//! [`recipe`] reads its inputs from one declarative file.
//!
//! ```
//! use notional::apportion::{apportion, Options};
//! use notional::progress::Silent;
//! let (wards, seats) = notional::demo::inputs();
//! let outcome = apportion(&wards, &seats, None, &Options::default(), &Silent).unwrap();
//! let summary = outcome.summary();
//! assert_eq!(summary.votes_in, summary.allocated + summary.unallocated);
//! ```

// The pipeline's stages, in the order data flows through them.
pub mod read;
pub mod geometry;
pub mod crosswalk;
pub mod aggregate;
pub mod results;
pub mod export;

// The election logic beside them, and the party vocabulary both use.
pub mod election;
pub mod parties;

// Whole runs composed of the stages, and diagnostics of a run.
pub mod apportion;
pub mod check;
pub mod recompute;
pub mod recipe;

// Inputs made here: the embedded demo and synthetic tessellations.
pub mod demo;
pub mod synthetic;

mod error;
pub mod progress;

pub use error::{Error, Result};
