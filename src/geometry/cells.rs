//! Part of step 3, **index**: a raster over the targets that places most
//! small nested units with a few array reads.
//!
//! The targets' extent is cut into square cells. A cell that some target
//! edge enters is *mixed*; every other cell lies wholly inside one target,
//! or outside them all. Cells that no edge enters and that touch side by side
//! lie on the same side of every boundary, so a run of them along a row takes
//! its label from any such cell below it, and only a run with none needs a
//! point-in-polygon test. A unit whose bounding box covers only cells
//! labelled with one target lies wholly inside that target: it goes whole,
//! without the R-tree queries of the exact test.
//!
//! Marking is conservative: every piece of an edge marks each cell its box
//! meets (long edges are cut into pieces under half a cell, their boxes
//! widened by a hair against rounding), and a unit's box is mapped to cells by
//! the same monotone arithmetic, so a box that an edge enters always covers a
//! mixed cell. Where targets overlap the label is mixed too, and the exact
//! test decides.
//!
//! Worth it only where units are many and small against the targets (a
//! hundred thousand wards in 650 seats): [`Cells::for_units`] decides.

use super::bbox::floor_index;
use super::index::TargetIndex;
use geo::{BoundingRect, Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// A cell that some edge enters, or that lies in more than one target.
const MIXED: u32 = u32::MAX;
/// A cell outside every target.
const OUTSIDE: u32 = u32::MAX - 1;
/// A cell no edge enters, not yet labelled.
const UNSET: u32 = u32::MAX - 2;

/// The most cells a raster may have, and a unit's box may be tested against.
const MAX_CELLS: f64 = 4_194_304.0;
const MAX_QUERY: usize = 256;

/// The raster (see the module docs).
///
/// ```
/// use geo::{coord, polygon, MultiPolygon, Rect};
/// use notional::geometry::cells::Cells;
/// use notional::geometry::index::TargetIndex;
/// let sq = |x0: f64, x1: f64| MultiPolygon::new(vec![polygon![(x: x0, y: 0.), (x: x1, y: 0.), (x: x1, y: 100.), (x: x0, y: 100.)]]);
/// let index = TargetIndex::new(vec![sq(0., 100.), sq(100., 200.)]);
/// let cells = Cells::new(&index, 4.0);
/// let inside = |x0: f64, x1: f64| cells.whole(Rect::new(coord! {x: x0, y: 40.}, coord! {x: x1, y: 60.}));
/// assert_eq!(inside(20., 30.), Some(0));
/// assert_eq!(inside(150., 160.), Some(1));
/// assert_eq!(inside(95., 105.), None); // across the shared edge
/// ```
#[derive(Debug, Clone)]
pub struct Cells {
    origin: Coord<f64>,
    size: f64,
    nx: usize,
    ny: usize,
    labels: Vec<u32>,
}

impl Cells {
    /// An empty raster: every query is left to the exact test.
    pub fn none() -> Self {
        Cells { origin: Coord { x: 0.0, y: 0.0 }, size: 1.0, nx: 0, ny: 0, labels: Vec::new() }
    }

    /// A raster for `units` against `index`, or [`Cells::none`] where it would
    /// not pay: fewer than 20,000 units, or fewer than ten per target, or
    /// units not small against the targets. Cells are a third of a typical
    /// unit's width (the median over a sample of bounding boxes).
    pub fn for_units(index: &TargetIndex, units: &[MultiPolygon<f64>]) -> Self {
        if units.len() < 20_000 || units.len() < 10 * index.len() {
            return Self::none();
        }
        let step = (units.len() / 1000).max(1);
        let mut widths: Vec<f64> = units
            .iter()
            .step_by(step)
            .filter_map(|u| u.bounding_rect())
            .map(|r| (r.width() * r.height()).sqrt())
            .filter(|w| *w > 0.0)
            .collect();
        if widths.is_empty() {
            return Self::none();
        }
        let mid = widths.len() / 2;
        let typical = *widths.select_nth_unstable_by(mid, f64::total_cmp).1;
        Self::new(index, typical / 3.0)
    }

    /// A raster of cells `size` wide (larger where the extent would need more
    /// than about four million) over the targets of `index`.
    pub fn new(index: &TargetIndex, size: f64) -> Self {
        let Some(extent) = index.indexed_extent() else { return Self::none() };
        let (w, h) = (extent.width(), extent.height());
        if !(w > 0.0 && h > 0.0 && size > 0.0) {
            return Self::none();
        }
        let size = size.max((w * h / MAX_CELLS).sqrt());
        let (nx, ny) = ((w / size).floor() as usize + 1, (h / size).floor() as usize + 1);
        let mut grid = Cells { origin: extent.min(), size, nx, ny, labels: Vec::new() };
        let mixed: Vec<AtomicBool> = (0..nx * ny).map(|_| AtomicBool::new(false)).collect();
        index.targets().par_iter().for_each(|t| {
            for poly in &t.geometry {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    for e in ring.0.windows(2) {
                        grid.mark(e[0], e[1], &mixed);
                    }
                }
            }
        });
        grid.labels = mixed.into_iter().map(|m| if m.into_inner() { MIXED } else { UNSET }).collect();
        grid.label(index);
        grid
    }

    /// Marks the cells an edge `a`–`b` enters.
    fn mark(&self, a: Coord<f64>, b: Coord<f64>, mixed: &[AtomicBool]) {
        let fill = |lo: Coord<f64>, hi: Coord<f64>| {
            let ((i0, j0), (i1, j1)) = (self.cell(lo), self.cell(hi));
            for j in j0..=j1 {
                for m in &mixed[j * self.nx + i0..=j * self.nx + i1] {
                    m.store(true, Ordering::Relaxed);
                }
            }
        };
        let span = (b.x - a.x).abs().max((b.y - a.y).abs());
        if span <= self.size / 2.0 {
            // The edge lies in the box of its two ends, exactly.
            return fill(Coord { x: a.x.min(b.x), y: a.y.min(b.y) }, Coord { x: a.x.max(b.x), y: a.y.max(b.y) });
        }
        let pieces = (span / (self.size / 2.0)).ceil();
        let hair = self.size * 1e-9;
        let mut p = a;
        for k in 1..=pieces as usize {
            let q = if k as f64 >= pieces { b } else { a + (b - a) * (k as f64 / pieces) };
            fill(Coord { x: p.x.min(q.x) - hair, y: p.y.min(q.y) - hair }, Coord { x: p.x.max(q.x) + hair, y: p.y.max(q.y) + hair });
            p = q;
        }
    }

    /// Labels the unmixed cells row by row: a run takes the label of an
    /// unmixed cell below it, else one point-in-polygon test at its first cell.
    fn label(&mut self, index: &TargetIndex) {
        let nx = self.nx;
        for j in 0..self.ny {
            let mut i = 0;
            while i < nx {
                if self.labels[j * nx + i] == MIXED {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < nx && self.labels[j * nx + i] != MIXED {
                    i += 1;
                }
                let below = (j > 0).then(|| (start..i).map(|k| self.labels[(j - 1) * nx + k]).find(|&l| l != MIXED)).flatten();
                let label = below.unwrap_or_else(|| match index.locate(self.centre(start, j)).as_slice() {
                    [] => OUTSIDE,
                    [t] => *t as u32,
                    _ => MIXED,
                });
                self.labels[j * nx + start..j * nx + i].fill(label);
            }
        }
    }

    /// The cell holding `c`, clamped to the grid.
    fn cell(&self, c: Coord<f64>) -> (usize, usize) {
        let i = floor_index((c.x - self.origin.x) / self.size);
        let j = floor_index((c.y - self.origin.y) / self.size);
        (i.min(self.nx - 1), j.min(self.ny - 1))
    }

    fn centre(&self, i: usize, j: usize) -> Coord<f64> {
        Coord { x: self.origin.x + (i as f64 + 0.5) * self.size, y: self.origin.y + (j as f64 + 0.5) * self.size }
    }

    /// The target wholly holding everything in `rect`, when the cells it
    /// covers say so; `None` when they do not (the exact test decides).
    pub fn whole(&self, rect: Rect<f64>) -> Option<usize> {
        if self.labels.is_empty() {
            return None;
        }
        let (lo, hi) = (rect.min(), rect.max());
        // Beyond the targets' extent: not answered here.
        let far = Coord { x: self.origin.x + self.nx as f64 * self.size, y: self.origin.y + self.ny as f64 * self.size };
        if !(lo.x >= self.origin.x && lo.y >= self.origin.y && hi.x < far.x && hi.y < far.y) {
            return None;
        }
        let ((i0, j0), (i1, j1)) = (self.cell(lo), self.cell(hi));
        if (i1 - i0 + 1) * (j1 - j0 + 1) > MAX_QUERY {
            return None;
        }
        let label = self.labels[j0 * self.nx + i0];
        if label == MIXED || label == OUTSIDE {
            return None;
        }
        let same = (j0..=j1).all(|j| self.labels[j * self.nx + i0..=j * self.nx + i1].iter().all(|&l| l == label));
        same.then_some(label as usize)
    }
}
