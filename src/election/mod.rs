//! The election logic beside the pipeline: each ward's local-election
//! pattern from several files ([`patterns`]), ward estimates reconciled to
//! the old seats' results ([`estimate`]) and how sure they are, over many
//! draws ([`ensemble`]), the make-up of each new seat from the
//! old ones ([`composition`]), and comparison with a later result: hold or
//! gain, and swing ([`compare`]); and a check of each ward's split over the
//! new seats against a reference table ([`reference`]).

pub mod compare;
pub mod composition;
pub mod ensemble;
pub mod estimate;
pub mod patterns;
pub mod reference;
