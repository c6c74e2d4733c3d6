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

/// How long each stage of a run took, in order.
///
/// ```
/// use notional::progress::StageTimes;
/// let mut t = StageTimes::default();
/// let mut since = std::time::Instant::now();
/// t.lap("read", &mut since);
/// assert!(t.to_string().starts_with("read "));
/// ```
#[derive(Debug, Clone, Default)]
pub struct StageTimes(pub Vec<(String, std::time::Duration)>);

impl StageTimes {
    /// Records the time since `since` under `name`, and restarts it.
    pub fn lap(&mut self, name: impl Into<String>, since: &mut std::time::Instant) {
        let now = std::time::Instant::now();
        self.0.push((name.into(), now - *since));
        *since = now;
    }
}

impl std::fmt::Display for StageTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(n, d)| format!("{n} {:.0} ms", d.as_secs_f64() * 1000.0)).collect();
        f.write_str(&parts.join(", "))
    }
}
