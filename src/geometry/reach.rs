//! Between **project** and **repair**: which targets some unit can reach.
//!
//! A unit can only share its votes with a target whose bounding box meets
//! its own. A target that no unit's box meets receives nothing whatever its
//! shape, so a run need not check, repair or index it: wards of England
//! reach 552 of the 650 UK seats, and the other 98 (Scotland, Northern
//! Ireland, most of Wales) hold two fifths of the seats' vertices; London's
//! wards reach 94 seats, 3% of the vertices.
//!
//! The test is conservative: unit boxes are marked on a grid of at most
//! [`GRID`] × [`GRID`] cells over their extent (a two-dimensional difference
//! array, then prefix sums), and a target counts as reached when its box
//! covers a marked cell. Both are mapped to cells by the same monotone
//! arithmetic, so two boxes that meet always share a cell: a reached target
//! is never reported unreached; an unreached one may, rarely, be kept.
//!
//! Most such targets need not be projected either: a box sure to hold a
//! target once projected ([`crate::geometry::project::bounds_in_bng`]) that meets no
//! unit box rules it out beforehand ([`unreached_boxes`]): 96 of England's 98,
//! 555 of London's 556. Only the few that could widen the targets' extent are
//! projected, for their box alone ([`extent`]).

use super::bbox::{floor_index, geometry_bounds, union, union_of};
use geo::{Coord, MultiPolygon, Rect};
use rayon::prelude::*;

/// Cells along the longer side of the units' extent.
pub const GRID: usize = 256;

/// The targets (by index) whose bounding box meets no unit's bounding box,
/// ascending. Targets without geometry are not listed (nothing to leave out).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::geometry::reach::unreached;
/// let sq = |x0: f64, y0: f64, s: f64| MultiPolygon::new(vec![polygon![
///     (x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s)]]);
/// let wards = vec![sq(0., 0., 1.), sq(50., 50., 1.)];
/// let seats = vec![sq(0.5, 0.5, 10.), sq(20., 0., 10.), sq(49., 49., 5.), sq(500., 500., 10.)];
/// assert_eq!(unreached(&wards, &seats), vec![1, 3]);
/// ```
pub fn unreached(units: &[MultiPolygon<f64>], targets: &[MultiPolygon<f64>]) -> Vec<usize> {
    let target_boxes: Vec<Option<Rect<f64>>> = targets.par_iter().map(geometry_bounds).collect();
    unreached_boxes(&unit_boxes(units), &target_boxes)
}

/// Every unit's bounding box (units without geometry have none).
pub fn unit_boxes(units: &[MultiPolygon<f64>]) -> Vec<Rect<f64>> {
    units.par_iter().with_min_len(256).filter_map(geometry_bounds).collect()
}

/// As [`unreached`], from the units' boxes and the targets' (`None`: not
/// known, never listed). A box that holds a target (as
/// [`crate::geometry::project::bounds_in_bng`] gives before projecting it) is as good
/// as its own: if the larger box meets no unit, neither does the target.
///
/// ```
/// use geo::{coord, Rect};
/// use notional::geometry::reach::unreached_boxes;
/// let b = |x: f64| Rect::new(coord! {x: x, y: 0.}, coord! {x: x + 1., y: 1.});
/// assert_eq!(unreached_boxes(&[b(0.)], &[Some(b(0.5)), Some(b(5.)), None]), vec![1]);
/// ```
pub fn unreached_boxes(units: &[Rect<f64>], targets: &[Option<Rect<f64>>]) -> Vec<usize> {
    Reach::new(units).unreached(targets)
}

/// Where the units are, marked once for several lists of targets
/// ([`unreached_boxes`] of each).
///
/// ```
/// use geo::{coord, Rect};
/// use notional::geometry::reach::Reach;
/// let b = |x: f64| Rect::new(coord! {x: x, y: 0.}, coord! {x: x + 1., y: 1.});
/// let reach = Reach::new(&[b(0.), b(10.)]);
/// assert_eq!(reach.unreached(&[Some(b(5.)), Some(b(9.5))]), vec![0]);
/// assert_eq!(Reach::new(&[]).unreached(&[Some(b(0.)), None]), vec![0]); // no units reach anything
/// ```
pub struct Reach(Option<Coverage>);

impl Reach {
    /// Marks the units' boxes.
    pub fn new(units: &[Rect<f64>]) -> Self {
        Reach(Coverage::new(units))
    }

    /// The targets (by index) whose box (`None`: not known, never listed)
    /// meets no unit's box, ascending.
    pub fn unreached(&self, targets: &[Option<Rect<f64>>]) -> Vec<usize> {
        (0..targets.len()).filter(|&t| targets[t].is_some_and(|b| self.0.as_ref().is_none_or(|g| !g.meets(b)))).collect()
    }
}

/// The box around every target, when those in `far` were never projected:
/// `projected` is the box around the others, `bounds` holds each far
/// target's box ([`crate::geometry::project::bounds_in_bng`]), and `exact(t)` projects
/// target `t`'s vertices for its own box. A far target can only widen the
/// extent where its bound pokes out of what is known, so only those are
/// projected, the farthest out first (Shetland before the rest of Scotland):
/// the result is the box around every target's projected vertices, as if
/// all had been projected.
///
/// ```
/// use geo::{coord, Rect};
/// use notional::geometry::reach::extent;
/// let b = |x0: f64, x1: f64| Rect::new(coord! {x: x0, y: 0.}, coord! {x: x1, y: 1.});
/// let exact = [b(0., 1.), b(5., 6.), b(2., 3.)]; // target 0 projected; 1 and 2 far
/// let bounds = [None, Some(b(4.5, 6.5)), Some(b(1.5, 3.5))];
/// let mut asked = Vec::new();
/// let e = extent(Some(exact[0]), &[1, 2], &bounds, |t| { asked.push(t); Ok::<_, ()>(Some(exact[t])) }).unwrap();
/// assert_eq!(e, Some(b(0., 6.)));
/// assert_eq!(asked, vec![1]); // target 2's bound lies within the rest
/// ```
pub fn extent<E>(
    projected: Option<Rect<f64>>,
    far: &[usize],
    bounds: &[Option<Rect<f64>>],
    mut exact: impl FnMut(usize) -> Result<Option<Rect<f64>>, E>,
) -> Result<Option<Rect<f64>>, E> {
    let beyond = |e: Option<Rect<f64>>, b: Rect<f64>| match e {
        None => f64::INFINITY,
        Some(e) => (e.min().x - b.min().x).max(b.max().x - e.max().x).max(e.min().y - b.min().y).max(b.max().y - e.max().y),
    };
    let mut order: Vec<(usize, Rect<f64>)> = far.iter().filter_map(|&t| Some((t, bounds[t]?))).collect();
    order.sort_by(|a, b| beyond(projected, b.1).total_cmp(&beyond(projected, a.1)));
    let mut out = projected;
    for (t, b) in order {
        if beyond(out, b) > 0.0 {
            out = union_of(out, exact(t)?);
        }
    }
    Ok(out)
}

/// The cells under some unit's box: a count per cell in prefix-sum form, so
/// that whether a box covers any marked cell is four reads.
struct Coverage {
    origin: Coord<f64>,
    extent: Rect<f64>,
    size: f64,
    nx: usize,
    ny: usize,
    /// `marked[j * (nx + 1) + i]`: marked cells in columns `< i` of rows `< j`.
    marked: Vec<u32>,
}

impl Coverage {
    fn new(boxes: &[Rect<f64>]) -> Option<Self> {
        let extent = boxes.iter().copied().reduce(union)?;
        let longer = extent.width().max(extent.height());
        let size = if longer > 0.0 { longer / GRID as f64 } else { 1.0 };
        let cells = |side: f64| (side / size).floor() as usize + 1;
        let (nx, ny) = (cells(extent.width()), cells(extent.height()));
        let mut grid = Coverage { origin: extent.min(), extent, size, nx, ny, marked: Vec::new() };
        // Difference array: +1 at a box's first cell, −1 past its last column
        // and row, +1 past both; its prefix sums count the boxes over each cell.
        let (w, h) = (grid.nx + 1, grid.ny + 1);
        let mut count = vec![0i32; w * h];
        for b in boxes {
            let ((i0, j0), (i1, j1)) = (grid.cell(b.min()), grid.cell(b.max()));
            count[j0 * w + i0] += 1;
            count[j0 * w + i1 + 1] -= 1;
            count[(j1 + 1) * w + i0] -= 1;
            count[(j1 + 1) * w + i1 + 1] += 1;
        }
        for j in 0..h {
            for i in 1..w {
                count[j * w + i] += count[j * w + i - 1];
            }
        }
        for j in 1..h {
            for i in 0..w {
                count[j * w + i] += count[(j - 1) * w + i];
            }
        }
        // Prefix sums of "marked", shifted by one row and column.
        let mut marked = vec![0u32; w * h];
        for j in 0..grid.ny {
            for i in 0..grid.nx {
                let here = u32::from(count[j * w + i] > 0);
                marked[(j + 1) * w + i + 1] = here + marked[j * w + i + 1] + marked[(j + 1) * w + i] - marked[j * w + i];
            }
        }
        grid.marked = marked;
        Some(grid)
    }

    /// The cell holding `c`, clamped to the grid (the same arithmetic for
    /// every box, monotone in each coordinate).
    fn cell(&self, c: Coord<f64>) -> (usize, usize) {
        let at = |v: f64, o: f64, n: usize| floor_index((v - o) / self.size).min(n - 1);
        (at(c.x, self.origin.x, self.nx), at(c.y, self.origin.y, self.ny))
    }

    /// Whether `b` covers a cell under some unit's box.
    fn meets(&self, b: Rect<f64>) -> bool {
        let e = self.extent;
        if b.max().x < e.min().x || b.min().x > e.max().x || b.max().y < e.min().y || b.min().y > e.max().y {
            return false;
        }
        let ((i0, j0), (i1, j1)) = (self.cell(b.min()), self.cell(b.max()));
        let w = self.nx + 1;
        let s = |i: usize, j: usize| self.marked[j * w + i];
        s(i1 + 1, j1 + 1) + s(i0, j0) > s(i0, j1 + 1) + s(i1 + 1, j0)
    }
}
