//! Rings: their runs of edges under one box ([`Chain`]), winding numbers
//! over chains, signed areas and orientation. Uses only [`super::bbox`].

use super::bbox::{bounds, greater, lesser};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, MultiPolygon, Rect};

/// Edges per [`Chain`]: few enough that a chain's box hugs the boundary,
/// many enough that the R-tree stays small (a seat of 800 edges has 50).
pub const CHAIN: usize = 16;

/// A run of consecutive edges of one ring (edges `start..end`, edge `i`
/// joining vertices `i` and `i + 1`) under one bounding box.
///
/// ```
/// use geo::coord;
/// use notional::geometry::ring::chains_of;
/// // 40 short edges along the bottom of a tall ring, then two long ones back.
/// let mut ring: Vec<_> = (0..=40).map(|i| coord! {x: i as f64, y: (i % 2) as f64}).collect();
/// ring.extend([coord! {x: 0., y: 100.}, coord! {x: 0., y: 0.}]);
/// let mut chains = Vec::new();
/// chains_of(&ring, 7, &mut chains);
/// let runs: Vec<_> = chains.iter().map(|c| (c.start, c.end)).collect();
/// assert_eq!(runs, vec![(0, 16), (16, 32), (32, 40), (40, 41), (41, 42)]);
/// assert!(chains.iter().all(|c| c.ring == 7));
/// assert_eq!(chains[2].rect.min().x, 32.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chain {
    /// The box around the chain's vertices.
    pub rect: Rect<f64>,
    /// The ring's number in its geometry (exteriors and holes in order).
    pub ring: u32,
    /// First edge.
    pub start: u32,
    /// One past the last edge.
    pub end: u32,
}

/// Appends the chains of one closed ring (first vertex repeated last) to `out`.
/// A chain ends after [`CHAIN`] edges, or sooner when its box would grow past
/// an eighth of the ring's box (width plus height): a seat drawn with a few
/// long edges gets a chain per edge, so a ward in its middle meets none.
pub fn chains_of(ring: &[Coord<f64>], number: u32, out: &mut Vec<Chain>) {
    let edges = ring.len().saturating_sub(1);
    let Some(whole) = bounds(ring) else { return };
    let limit = (whole.width() + whole.height()) / 8.0;
    let mut start = 0;
    while start < edges {
        let (mut lo, mut hi) = (ring[start], ring[start]);
        let mut end = start;
        while end < edges && end - start < CHAIN {
            let c = ring[end + 1];
            let (l, h) = (Coord { x: lesser(lo.x, c.x), y: lesser(lo.y, c.y) }, Coord { x: greater(hi.x, c.x), y: greater(hi.y, c.y) });
            if end > start && (h.x - l.x) + (h.y - l.y) > limit {
                break;
            }
            (lo, hi) = (l, h);
            end += 1;
        }
        out.push(Chain { rect: Rect::new(lo, hi), ring: number, start: start as u32, end: end as u32 });
        start = end;
    }
}

/// The winding number of the rings around `c`, from the chains that the ray
/// from `c` to the east may cross (others may be passed too: they add
/// nothing). Robust orientation tests (geo's `RobustKernel`), counting an
/// edge from its lower end inclusive to its upper end exclusive, so a ray
/// through a vertex counts once.
///
/// ```
/// use geo::coord;
/// use notional::geometry::ring::{chains_of, winding_number};
/// let ring = vec![coord! {x: 0., y: 0.}, coord! {x: 4., y: 0.}, coord! {x: 4., y: 4.}, coord! {x: 0., y: 4.}, coord! {x: 0., y: 0.}];
/// let mut chains = Vec::new();
/// chains_of(&ring, 0, &mut chains);
/// assert_eq!(winding_number(chains.iter(), |_| ring.as_slice(), coord! {x: 1., y: 2.}), 1);
/// assert_eq!(winding_number(chains.iter(), |_| ring.as_slice(), coord! {x: 5., y: 2.}), 0);
/// ```
pub fn winding_number<'a, 'r>(
    chains: impl Iterator<Item = &'a Chain>,
    ring: impl Fn(usize) -> &'r [Coord<f64>],
    c: Coord<f64>,
) -> i32 {
    let mut w = 0;
    for chain in chains {
        if chain.rect.max().x < c.x || chain.rect.min().y > c.y || chain.rect.max().y < c.y {
            continue;
        }
        let coords = ring(chain.ring as usize);
        for e in coords[chain.start as usize..=chain.end as usize].windows(2) {
            let (a, b) = (e[0], e[1]);
            if a.y <= c.y {
                if b.y > c.y && RobustKernel::orient2d(a, b, c) == Orientation::CounterClockwise {
                    w += 1;
                }
            } else if b.y <= c.y && RobustKernel::orient2d(a, b, c) == Orientation::Clockwise {
                w -= 1;
            }
        }
    }
    w
}

/// Twice the signed area of a closed ring (positive counter-clockwise).
pub(crate) fn ring_twice_area(ring: &[Coord<f64>]) -> f64 {
    let Some(&o) = ring.first() else { return 0.0 };
    ring.windows(2).map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y)).sum()
}

/// Whether every exterior runs counter-clockwise and every hole clockwise,
/// as [`area_within`] needs (interiors on the left of every ring).
pub fn is_oriented(mp: &MultiPolygon<f64>) -> bool {
    mp.iter().all(|p| ring_twice_area(&p.exterior().0) >= 0.0 && p.interiors().iter().all(|h| ring_twice_area(&h.0) <= 0.0))
}
