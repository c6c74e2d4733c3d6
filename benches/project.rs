//! WGS84 → British National Grid: the interpolation grid against the exact
//! proj4rs transform, per vertex, and the grid's build.
//!
//! `cargo bench --bench project`

// The binary's allocator, so that the stages are timed as the binary runs them.
#[path = "../src/cli/allocator.rs"]
mod allocator;
#[global_allocator]
static GLOBAL: allocator::Mimalloc = allocator::Mimalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use notional::geometry::project::{BngGrid, Projector};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use std::hint::black_box;

/// Vertices as boundary files have them: a random walk of ~50 m steps over England.
fn walk(n: usize) -> Vec<Coord> {
    let mut rng = Pcg64::seed_from_u64(1);
    let mut c: Coord<f64> = Coord { x: -1.5, y: 52.5 };
    (0..n)
        .map(|_| {
            c.x = (c.x + rng.random_range(-0.001f64..0.001)).clamp(-5.5, 1.7);
            c.y = (c.y + rng.random_range(-0.0007f64..0.0007)).clamp(50.0, 55.5);
            c
        })
        .collect()
}

fn project(c: &mut Criterion) {
    let p = Projector::new();
    let grid = p.grid().expect("grid builds");
    let mut group = c.benchmark_group("project");
    let n = 100_000;
    let pts = walk(n);
    let ring = MultiPolygon::new(vec![Polygon::new(LineString::from(pts.clone()), vec![])]);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("grid_vertex", |b| {
        let mut out = vec![Coord { x: 0.0, y: 0.0 }; n];
        b.iter(|| {
            for (o, c) in out.iter_mut().zip(black_box(&pts)) {
                *o = grid.get(c.x, c.y).unwrap();
            }
            black_box(&out);
        })
    });
    group.bench_function("to_bng_multipolygon", |b| b.iter(|| p.to_bng(black_box(&ring)).unwrap()));
    group.sample_size(10);
    group.bench_function("exact_vertex", |b| b.iter(|| p.to_bng_exact(black_box(&ring)).unwrap()));
    group.finish();

    let mut group = c.benchmark_group("project");
    group.sample_size(20);
    group.bench_function("grid_build_uk", |b| b.iter(|| BngGrid::new(black_box(&p)).unwrap()));
    group.finish();
}

criterion_group!(benches, project);
criterion_main!(benches);
