//! Progress reporting hooks. The library stays silent; the binary plugs in a
//! progress bar.

/// Receives progress from long-running stages. All methods default to doing nothing.
///
/// ```
/// use notional::progress::{Progress, Silent};
/// let p: &dyn Progress = &Silent;
/// p.start("crosswalk", 10);
/// p.inc(10);
/// p.finish();
/// ```
pub trait Progress: Sync {
    /// A stage of `len` steps begins.
    fn start(&self, _stage: &'static str, _len: u64) {}
    /// `n` more steps are done.
    fn inc(&self, _n: u64) {}
    /// The stage is over.
    fn finish(&self) {}
}

/// A [`Progress`] that reports nothing.
pub struct Silent;

impl Progress for Silent {}
