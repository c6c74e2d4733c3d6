//! The library's error type.
//!
//! Every variant names the file (or other input) it concerns and, where there is
//! one, the feature index or CSV line and the field, so that a user can go
//! straight to the offending place.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
///
/// ```
/// use notional::Error;
/// let err = Error::Field {
///     source_name: "wards.geojson".into(),
///     place: "feature 3 (id E05000001)".into(),
///     field: "lab".into(),
///     message: "is negative (-5)".into(),
/// };
/// assert_eq!(
///     err.to_string(),
///     "wards.geojson: feature 3 (id E05000001), field `lab`: is negative (-5)"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said (in the message itself, not as a
        /// `source`, so that a chain of errors printed with `{:#}` says it once).
        cause: std::io::Error,
    },
    /// The input is not well-formed (not UTF-8, not JSON, not CSV, wrong GeoJSON type).
    #[error("{source_name}: {message}")]
    Format {
        /// The input's name (usually its path).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// One field of one feature or row is wrong.
    #[error("{source_name}: {place}, field `{field}`: {message}")]
    Field {
        /// The input's name (usually its path).
        source_name: String,
        /// Which feature or line, e.g. `feature 12 (id E05000001)` or `line 7`.
        place: String,
        /// The property or column.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The inputs are individually fine but do not fit together
    /// (unknown party names, ids without votes, an unknown coordinate system).
    #[error("{0}")]
    Mismatch(String),
    /// A layer holds no vote columns (and none were named or given apart):
    /// an error for a run, not for a check of the geometry alone.
    #[error("{0}")]
    NoVotes(String),
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), cause: source }
    }

    pub(crate) fn format(source_name: &str, message: impl Into<String>) -> Self {
        Error::Format { source_name: source_name.to_string(), message: message.into() }
    }

    pub(crate) fn field(
        source_name: &str,
        place: impl Into<String>,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Error::Field {
            source_name: source_name.to_string(),
            place: place.into(),
            field: field.to_string(),
            message: message.into(),
        }
    }
}
