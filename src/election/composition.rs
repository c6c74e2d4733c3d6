//! After **aggregate**: what each new seat is made of, in old seats, and where
//! each old seat went. Shares are of the electorate when known, otherwise of
//! votes.

use crate::crosswalk::Crosswalk;

/// One old-seat × new-seat overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Old seat index.
    pub old: usize,
    /// New seat (target) index.
    pub new: usize,
    /// Electorate (or votes) moved from `old` to `new`.
    pub measure: f64,
    /// Share of the new seat's measure that comes from `old`.
    pub share_of_new: f64,
    /// Share of the old seat's measure that goes to `new`.
    pub share_of_old: f64,
}

/// All overlaps, ordered by new seat, then largest share first.
#[derive(Debug, Clone, PartialEq)]
pub struct Composition {
    /// The links.
    pub links: Vec<Link>,
    /// Whether `measure` is electorate (else votes).
    pub by_electorate: bool,
}

impl Composition {
    /// Builds the composition from each unit's old seat, the crosswalk of
    /// units to new seats and a measure per unit (electorate or votes).
    ///
    /// ```
    /// use notional::election::composition::Composition;
    /// use notional::crosswalk::{Crosswalk, Method, UnitWeights};
    /// // Two units from old seat 0, one from old seat 1; unit 2 is split.
    /// let cw = Crosswalk { method: Method::Area, units: vec![
    ///     UnitWeights::placed(vec![(0, 1.0)], 1.0),
    ///     UnitWeights::placed(vec![(0, 1.0)], 1.0),
    ///     UnitWeights::placed(vec![(0, 0.5), (1, 0.5)], 1.0),
    /// ]};
    /// let c = Composition::new(&[0, 0, 1], &cw, &[100.0, 100.0, 200.0], 2, 2, true);
    /// let first = c.predecessor(0).unwrap();
    /// assert_eq!((first.old, first.share_of_new), (0, 200.0 / 300.0));
    /// assert_eq!(c.predecessor(1).unwrap().old, 1);
    /// ```
    pub fn new(unit_old: &[usize], crosswalk: &Crosswalk, measure: &[f64], n_old: usize, n_new: usize, by_electorate: bool) -> Self {
        let mut m = std::collections::BTreeMap::<(usize, usize), f64>::new();
        for (u, row) in crosswalk.units.iter().enumerate() {
            for &(t, w) in &row.weights {
                *m.entry((t, unit_old[u])).or_default() += measure[u] * w;
            }
        }
        let (mut new_total, mut old_total) = (vec![0.0; n_new], vec![0.0; n_old]);
        for (&(t, o), &v) in &m {
            new_total[t] += v;
            old_total[o] += v;
        }
        let mut links: Vec<Link> = m
            .into_iter()
            .filter(|(_, v)| *v > 0.0)
            .map(|((new, old), measure)| Link {
                old,
                new,
                measure,
                share_of_new: measure / new_total[new],
                share_of_old: measure / old_total[old],
            })
            .collect();
        links.sort_by(|a, b| a.new.cmp(&b.new).then(b.measure.total_cmp(&a.measure)).then(a.old.cmp(&b.old)));
        Composition { links, by_electorate }
    }

    /// The largest contributor to new seat `new`.
    pub fn predecessor(&self, new: usize) -> Option<&Link> {
        self.links.iter().find(|l| l.new == new)
    }

    /// The links into new seat `new`, largest first.
    pub fn into_new(&self, new: usize) -> impl Iterator<Item = &Link> {
        self.links.iter().filter(move |l| l.new == new)
    }

    /// The links out of old seat `old`, largest first.
    pub fn out_of_old(&self, old: usize) -> Vec<&Link> {
        let mut v: Vec<&Link> = self.links.iter().filter(|l| l.old == old).collect();
        v.sort_by(|a, b| b.measure.total_cmp(&a.measure).then(a.new.cmp(&b.new)));
        v
    }
}
