//! Simplifying a whole tessellation at once: every edge two seats share is
//! simplified once and given to both, so neighbours keep meeting exactly
//! (no gaps, no overlaps), as TopoJSON's arcs do.

use geo::{Coord, LineString, MultiPolygon, Polygon, Simplify};
use foldhash::fast::FixedState;
use std::collections::HashMap;

/// Simplifies a set of neighbouring polygons edge by edge.
///
/// The rings are cut into arcs at their junctions (points where three or
/// more edges meet); each arc is simplified once (Ramer–Douglas–Peucker
/// within `tolerance`, its ends fixed) and shared by every ring that runs
/// along it, in either direction. Vertices are first snapped to a grid of
/// `tolerance / 4`, so points equal up to projection noise are equal. A
/// ring left with no area is dropped, and a polygon with it.
///
/// ```
/// use geo::{polygon, Area, MultiPolygon};
/// use notional::export::map::SimplifyShared;
/// // Two squares sharing a wiggly edge: simplified, they still share it.
/// let a = polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10.1, y: 5.), (x: 10., y: 10.), (x: 0., y: 10.)];
/// let b = polygon![(x: 10., y: 0.), (x: 20., y: 0.), (x: 20., y: 10.), (x: 10., y: 10.), (x: 10.1, y: 5.)];
/// let out = [MultiPolygon::new(vec![a]), MultiPolygon::new(vec![b])].simplify_shared(1.0);
/// assert_eq!(out[0].unsigned_area() + out[1].unsigned_area(), 200.0);
/// assert_eq!(out[0].0[0].exterior().0.len(), 5); // the wiggle is gone from both
/// ```
pub trait SimplifyShared {
    /// The simplified polygons, one per input, in order.
    fn simplify_shared(&self, tolerance: f64) -> Vec<MultiPolygon<f64>>;
}

type Key = (i64, i64);

impl SimplifyShared for [MultiPolygon<f64>] {
    fn simplify_shared(&self, tolerance: f64) -> Vec<MultiPolygon<f64>> {
        let grid = if tolerance > 0.0 { tolerance / 4.0 } else { 1e-9 };
        let snap = |c: &Coord<f64>| -> Key { ((c.x / grid).round() as i64, (c.y / grid).round() as i64) };
        // Every ring as snapped keys, closed, repeats dropped.
        let rings: Vec<Vec<Vec<Vec<Key>>>> = self
            .iter()
            .map(|mp| {
                mp.0.iter()
                    .map(|p| {
                        std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(|r| {
                                let mut keys: Vec<Key> = Vec::with_capacity(r.0.len());
                                for c in &r.0 {
                                    let k = snap(c);
                                    if keys.last() != Some(&k) {
                                        keys.push(k);
                                    }
                                }
                                if keys.len() > 1 && keys.first() == keys.last() {
                                    keys.pop();
                                }
                                keys
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        // A junction: a point with other than two distinct neighbours. Up to
        // two are kept inline (no allocation per vertex), a third marks it.
        #[derive(Clone, Copy)]
        enum Seen {
            One(Key),
            Two(Key, Key),
            Many,
        }
        let vertices: usize = rings.iter().flatten().flatten().map(Vec::len).sum();
        let mut neighbours: HashMap<Key, Seen, FixedState> = HashMap::with_capacity_and_hasher(vertices, FixedState::default());
        for ring in rings.iter().flatten().flatten() {
            let n = ring.len();
            for i in 0..n {
                for k in [ring[(i + n - 1) % n], ring[(i + 1) % n]] {
                    let e = neighbours.entry(ring[i]).or_insert(Seen::One(k));
                    *e = match *e {
                        Seen::One(a) if a == k => Seen::One(a),
                        Seen::One(a) => Seen::Two(a, k),
                        Seen::Two(a, b) if a == k || b == k => Seen::Two(a, b),
                        _ => Seen::Many,
                    };
                }
            }
        }
        let junction = |k: &Key| !matches!(neighbours.get(k), Some(Seen::Two(..)));
        let mut arcs: HashMap<Vec<Key>, Vec<Key>, FixedState> = HashMap::default();
        let unsnap = |k: &Key| Coord { x: k.0 as f64 * grid, y: k.1 as f64 * grid };
        let mut simplified_ring = |ring: &[Key]| -> Option<LineString<f64>> {
            if ring.len() < 3 {
                return None;
            }
            // Start at a junction, or (a ring no other touches) at its least
            // point, so that the same ring in two seats starts in the same place.
            let start = ring.iter().position(&junction).unwrap_or_else(|| (0..ring.len()).min_by_key(|&i| ring[i]).unwrap_or(0));
            let mut rotated: Vec<Key> = ring[start..].iter().chain(&ring[..start]).copied().collect();
            rotated.push(rotated[0]);
            let mut out: Vec<Key> = vec![rotated[0]];
            let mut from = 0;
            for i in 1..rotated.len() {
                if i == rotated.len() - 1 || junction(&rotated[i]) {
                    let arc = &rotated[from..=i];
                    let piece = simplify_arc(arc, &mut arcs, grid, tolerance);
                    out.extend(piece.into_iter().skip(1));
                    from = i;
                }
            }
            let ls = LineString::new(out.iter().map(unsnap).collect());
            (out.len() >= 4 && geo::Area::unsigned_area(&Polygon::new(ls.clone(), vec![])) > 0.0).then_some(ls)
        };
        rings
            .iter()
            .map(|mp| {
                MultiPolygon::new(
                    mp.iter()
                        .filter_map(|p| {
                            let exterior = simplified_ring(&p[0])?;
                            let holes = p[1..].iter().filter_map(|r| simplified_ring(r)).collect();
                            Some(Polygon::new(exterior, holes))
                        })
                        .collect(),
                )
            })
            .collect()
    }
}

fn dist2(a: Key, b: Key) -> i128 {
    let (dx, dy) = ((a.0 - b.0) as i128, (a.1 - b.1) as i128);
    dx * dx + dy * dy
}

/// One arc, simplified once whichever way it is walked.
fn simplify_arc(arc: &[Key], cache: &mut HashMap<Vec<Key>, Vec<Key>, FixedState>, grid: f64, tolerance: f64) -> Vec<Key> {
    if arc.len() <= 2 {
        return arc.to_vec();
    }
    let reversed = arc.last() < arc.first() || (arc.last() == arc.first() && arc[arc.len() - 2] < arc[1]);
    let canonical: Vec<Key> = if reversed { arc.iter().rev().copied().collect() } else { arc.to_vec() };
    let simple = cache
        .entry(canonical)
        .or_insert_with_key(|c| {
            let rdp = |part: &[Key]| -> Vec<Key> {
                let ls = LineString::new(part.iter().map(|k| Coord { x: k.0 as f64, y: k.1 as f64 }).collect());
                ls.simplify(tolerance / grid).0.iter().map(|c| (c.x as i64, c.y as i64)).collect()
            };
            if c.first() == c.last() {
                // A loop: fixed at its far point too, so that it keeps an area.
                let far = (1..c.len() - 1).rev().max_by_key(|&j| dist2(c[0], c[j])).unwrap_or(1);
                let mut p = rdp(&c[..=far]);
                p.extend(rdp(&c[far..]).into_iter().skip(1));
                p
            } else {
                rdp(c)
            }
        })
        .clone();
    if reversed { simple.into_iter().rev().collect() } else { simple }
}
