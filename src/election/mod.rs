//! The election logic beside the pipeline: ward estimates reconciled to the
//! old seats' results ([`estimate`]), the make-up of each new seat from the
//! old ones ([`composition`]), and comparison with a later result: hold or
//! gain, and swing ([`compare`]).

pub mod compare;
pub mod composition;
pub mod estimate;
