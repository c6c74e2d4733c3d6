//! Stage benchmarks on a seeded synthetic tessellation (not nested: about half
//! the units straddle two or more targets). Baseline for later speed work.
//!
//! `cargo bench --bench crosswalk`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use notional::aggregate::allocate;
use notional::crosswalk::{Crosswalk, Method};
use notional::index::TargetIndex;
use notional::progress::Silent;
use notional::synthetic::{tessellation, votes};
use std::hint::black_box;

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("synthetic");
    group.sample_size(10);
    for &n in &[2_500usize, 10_000] {
        let units = tessellation(n, 1);
        let targets = tessellation(650, 2);
        let table = votes(n, 70_000 * 650 / n as u64, 3);
        group.bench_with_input(BenchmarkId::new("index", n), &targets, |b, t| {
            b.iter(|| TargetIndex::new(black_box(t.clone())))
        });
        let index = TargetIndex::new(targets.clone());
        for method in [Method::Area, Method::Centroid] {
            group.bench_with_input(BenchmarkId::new(format!("crosswalk_{method}"), n), &units, |b, u| {
                b.iter(|| Crosswalk::build(black_box(u), &index, method, &Silent))
            });
        }
        let cw = Crosswalk::build(&units, &index, Method::Area, &Silent);
        group.bench_with_input(BenchmarkId::new("aggregate", n), &table, |b, t| {
            b.iter(|| allocate(black_box(t), &cw, index.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
