//! Seeded synthetic inputs for benchmarks and scale tests: two independent
//! jittered-grid tessellations of the same square of British National Grid,
//! so units (wards) are not nested in targets (seats), with random votes.
//!
//! Nothing here is real data; the same seed always gives the same output.

use crate::read::VoteTable;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// The square: 100 km × 100 km of BNG, around 52°N 1.5°W (as `../shared/bench`).
pub const EXTENT: (f64, f64, f64, f64) = (384_000.0, 184_000.0, 484_000.0, 284_000.0);

/// Party columns of [`votes`].
pub const PARTIES: [&str; 5] = ["con", "lab", "ld", "green", "oth"];

/// `n` quadrilateral cells from a `k × k` grid over [`EXTENT`] (`k = ⌈√n⌉`)
/// whose inner vertices are moved at random by up to 30% of a cell: a perfect
/// tiling when `n` is a square, otherwise the first `n` cells row by row.
/// Geometries are in BNG metres.
///
/// ```
/// use geo::Area;
/// let cells = notional::synthetic::tessellation(100, 7);
/// assert_eq!(cells.len(), 100);
/// let area: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
/// assert!((area - 1.0e10).abs() < 1.0); // 100 km × 100 km, exactly tiled
/// assert_eq!(cells, notional::synthetic::tessellation(100, 7)); // seeded
/// ```
pub fn tessellation(n: usize, seed: u64) -> Vec<MultiPolygon<f64>> {
    let k = (n as f64).sqrt().ceil().max(1.0) as usize;
    let (x0, y0, x1, y1) = EXTENT;
    let (dx, dy) = ((x1 - x0) / k as f64, (y1 - y0) / k as f64);
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut vertex = vec![Coord { x: 0.0, y: 0.0 }; (k + 1) * (k + 1)];
    for j in 0..=k {
        for i in 0..=k {
            let inner_x = i > 0 && i < k;
            let inner_y = j > 0 && j < k;
            let jx = if inner_x { rng.random_range(-0.3..0.3) * dx } else { 0.0 };
            let jy = if inner_y { rng.random_range(-0.3..0.3) * dy } else { 0.0 };
            vertex[j * (k + 1) + i] = Coord { x: x0 + i as f64 * dx + jx, y: y0 + j as f64 * dy + jy };
        }
    }
    let v = |i: usize, j: usize| vertex[j * (k + 1) + i];
    let mut cells = Vec::with_capacity(k * k);
    for j in 0..k {
        for i in 0..k {
            let ring = LineString::new(vec![v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1), v(i, j)]);
            cells.push(MultiPolygon::new(vec![Polygon::new(ring, vec![])]));
        }
    }
    cells.truncate(n.max(1));
    cells
}

/// Random votes for `n` units: electorate around `electors_per_unit`, turnout
/// 55–78%, party shares drawn at random, with the electorate column last.
///
/// ```
/// let v = notional::synthetic::votes(3, 5000, 1);
/// assert_eq!(v.len(), 3);
/// let row = v.row(0);
/// let cast: u64 = row[..5].iter().sum();
/// assert!(cast <= row[5]); // votes never exceed the electorate
/// ```
pub fn votes(n: usize, electors_per_unit: u64, seed: u64) -> VoteTable {
    let mut rng = Pcg64::seed_from_u64(seed ^ 0x5eed);
    let rows = (0..n)
        .map(|_| {
            let electorate = (electors_per_unit as f64 * rng.random_range(0.7..1.3)).round() as u64;
            let turnout: f64 = rng.random_range(0.55..0.78);
            let weights: Vec<f64> = PARTIES.iter().map(|_| rng.random_range(0.0f64..1.0).powi(2)).collect();
            let sum: f64 = weights.iter().sum();
            let mut row: Vec<u64> =
                weights.iter().map(|w| (electorate as f64 * turnout * w / sum).floor() as u64).collect();
            row.push(electorate);
            row
        })
        .collect();
    VoteTable::new(PARTIES.iter().map(|p| p.to_string()).collect(), true, rows)
}
