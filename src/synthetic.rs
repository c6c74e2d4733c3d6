//! Seeded synthetic inputs for benchmarks and scale tests: two independent
//! jittered-grid tessellations of the same square of British National Grid,
//! so units (wards) are not nested in targets (seats), with random votes.
//!
//! Nothing here is real data; the same seed always gives the same output.

use crate::error::Result;
use crate::export::{feature_collection, feature_size, write_feature};
use crate::geometry::project::Projector;
use crate::read::VoteTable;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// The square: 100 km × 100 km of BNG, around 52°N 1.5°W (as `../shared/bench`).
pub const EXTENT: (f64, f64, f64, f64) = (384_000.0, 184_000.0, 484_000.0, 284_000.0);

/// Party columns of [`votes`].
pub const PARTIES: [&str; 5] = ["con", "lab", "ld", "green", "oth"];

/// `n` cells tiling [`EXTENT`] exactly: a grid of `⌈√n⌉` columns and as many
/// rows as needed, whose inner vertices are moved at random by up to 30% of a
/// cell; when the last row is not full, its last cell runs to the right edge.
/// Geometries are in BNG metres.
///
/// ```
/// use geo::Area;
/// for n in [100, 650, 7] {
///     let cells = notional::synthetic::tessellation(n, 7);
///     assert_eq!(cells.len(), n);
///     let area: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
///     assert!((area - 1.0e10).abs() < 1.0); // 100 km × 100 km, exactly tiled
/// }
/// assert_eq!(notional::synthetic::tessellation(100, 7), notional::synthetic::tessellation(100, 7)); // seeded
/// ```
pub fn tessellation(n: usize, seed: u64) -> Vec<MultiPolygon<f64>> {
    let shape = Shape::new(n);
    cells(&grid(shape, seed), shape)
}

/// Columns and rows of the grid for `n` cells.
#[derive(Debug, Clone, Copy)]
struct Shape {
    n: usize,
    cols: usize,
    rows: usize,
}

impl Shape {
    fn new(n: usize) -> Self {
        let n = n.max(1);
        let cols = (n as f64).sqrt().ceil() as usize;
        Shape { n, cols, rows: n.div_ceil(cols) }
    }
}

/// The `(cols + 1) × (rows + 1)` jittered vertices, row by row, in BNG metres.
fn grid(shape: Shape, seed: u64) -> Vec<Coord<f64>> {
    let (x0, y0, x1, y1) = EXTENT;
    let Shape { cols, rows, .. } = shape;
    let (dx, dy) = ((x1 - x0) / cols as f64, (y1 - y0) / rows as f64);
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut vertex = Vec::with_capacity((cols + 1) * (rows + 1));
    for j in 0..=rows {
        for i in 0..=cols {
            let inner_x = i > 0 && i < cols;
            let inner_y = j > 0 && j < rows;
            let jx = if inner_x { rng.random_range(-0.3..0.3) * dx } else { 0.0 };
            let jy = if inner_y { rng.random_range(-0.3..0.3) * dy } else { 0.0 };
            vertex.push(Coord { x: x0 + i as f64 * dx + jx, y: y0 + j as f64 * dy + jy });
        }
    }
    vertex
}

/// The `n` cells of the grid `vertex`.
fn cells(vertex: &[Coord<f64>], shape: Shape) -> Vec<MultiPolygon<f64>> {
    let Shape { n, cols, rows } = shape;
    let v = |i: usize, j: usize| vertex[j * (cols + 1) + i];
    let mut cells = Vec::with_capacity(n);
    for j in 0..rows {
        let in_row = (n - j * cols).min(cols);
        for i in 0..in_row {
            // The last cell of a short last row takes the rest of the row.
            let right = if i + 1 == in_row { cols } else { i + 1 };
            let mut ring: Vec<Coord<f64>> = (i..=right).map(|x| v(x, j)).collect();
            ring.extend((i..=right).rev().map(|x| v(x, j + 1)));
            ring.push(v(i, j));
            cells.push(MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])]));
        }
    }
    cells
}

/// A synthetic pair of input files, as `notional synthetic` writes them:
/// `units` wards carrying votes and `targets` seats, both jittered-grid
/// tessellations of [`EXTENT`] (seeded by `seed` and `seed + 1`), as RFC 7946
/// GeoJSON in WGS84 lon/lat (six decimals), like the benchmark fixtures in
/// `../shared/data/derived`. Ward properties: `code` (`SYNW0000001`…), the
/// [`PARTIES`] and `electorate` (about 70,000 electors per seat in all);
/// seat properties: `code` (`SYNS0001`…) and `name`.
///
/// ```
/// let files = notional::synthetic::geojson_files(100, 4, 7).unwrap();
/// let wards: serde_json::Value = serde_json::from_slice(&files.units).unwrap();
/// assert_eq!(wards["features"].as_array().unwrap().len(), 100);
/// assert_eq!(wards["features"][0]["properties"]["code"], "SYNW0000001");
/// let seats: serde_json::Value = serde_json::from_slice(&files.targets).unwrap();
/// assert_eq!(seats["features"][3]["properties"]["code"], "SYNS0004");
/// assert_eq!(files, notional::synthetic::geojson_files(100, 4, 7).unwrap()); // seeded
/// ```
pub fn geojson_files(units: usize, targets: usize, seed: u64) -> Result<SyntheticFiles> {
    let electors = 70_000 * targets.max(1) as u64 / units.max(1) as u64;
    let table = votes(units, electors.max(1), seed);
    let render = |n: usize, seed: u64, props: &(dyn Fn(usize) -> Map<String, Value> + Sync)| -> Result<Vec<u8>> {
        let shape = Shape::new(n);
        let projector = Projector::new();
        // Project each grid vertex once (rows in parallel), then build the cells.
        let rows: Vec<Vec<Coord<f64>>> = grid(shape, seed)
            .par_chunks(shape.cols + 1)
            .map(|row| {
                let line = MultiPolygon::new(vec![Polygon::new(LineString::new(row.to_vec()), vec![])]);
                Ok(projector.to_wgs84(&line)?.0[0].exterior().0[..row.len()].to_vec())
            })
            .collect::<Result<_>>()?;
        let vertex: Vec<Coord<f64>> = rows.concat();
        let cells = cells(&vertex, shape);
        let mut out = Vec::new();
        feature_collection(cells.len(), &mut out, |i| feature_size(&cells[i]), |i, buf| write_feature(buf, &props(i), &cells[i]))
            .expect("writing to memory");
        Ok(out)
    };
    let unit_props = |i: usize| {
        let mut p = Map::new();
        p.insert("code".into(), json!(format!("SYNW{:07}", i + 1)));
        for (party, v) in PARTIES.iter().zip(table.row(i)) {
            p.insert(party.to_string(), json!(v));
        }
        p.insert("electorate".into(), json!(table.row(i)[PARTIES.len()]));
        p
    };
    let target_props = |i: usize| {
        let mut p = Map::new();
        p.insert("code".into(), json!(format!("SYNS{:04}", i + 1)));
        p.insert("name".into(), json!(format!("Synthetic seat {}", i + 1)));
        p
    };
    Ok(SyntheticFiles { units: render(units, seed, &unit_props)?, targets: render(targets, seed + 1, &target_props)? })
}

/// The two files of [`geojson_files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticFiles {
    /// The wards, carrying votes.
    pub units: Vec<u8>,
    /// The seats.
    pub targets: Vec<u8>,
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
