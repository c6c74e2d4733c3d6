//! Criterion benchmarks of each pipeline stage — read (parse), project
//! (+ validity check and repair), index, crosswalk, aggregate, write — on
//! seeded synthetic inputs of 10,000 and 100,000 wards against 650 seats
//! (the `notional synthetic` files, made in memory), and on the real England
//! 2013 wards → 2024 seats when `../shared/data` is beside the project.
//! The crosswalk and aggregate stages also run on 1 and 2 threads, for the
//! parallel efficiency.
//!
//! `cargo bench --bench stages` (add a filter, e.g. `-- england`, to run
//! fewer). Whole-process timings against the peer tools are in
//! `benches/compare_peers.sh`.

// The binary's allocator, so that the stages are timed as the binary runs them.
#[path = "../src/cli/allocator.rs"]
mod allocator;
#[global_allocator]
static GLOBAL: allocator::Mimalloc = allocator::Mimalloc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use notional::aggregate::allocate;
use notional::apportion::{apportion, parse, prepare, Options, Parsed};
use notional::crosswalk::{Crosswalk, Method};
use notional::export::map::MapOptions;
use notional::export::{write_outputs, Durability};
use notional::geometry::index::TargetIndex;
use notional::progress::Silent;
use notional::geometry::project::Projector;
use notional::read::Input;
use notional::results::Results;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// The inputs of one benchmark pair.
struct Pair {
    name: String,
    units: Input,
    targets: Input,
}

fn pairs() -> Vec<Pair> {
    let mut out = Vec::new();
    for n in [10_000usize, 100_000] {
        let files = notional::synthetic::geojson_files(n, 650, 1).expect("synthetic inputs");
        let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
        out.push(Pair {
            name: format!("synthetic_{}k", n / 1000),
            units: Input::from_text("wards.geojson", text(files.units)),
            targets: Input::from_text("seats.geojson", text(files.targets)),
        });
    }
    let data = Path::new("../shared/data/derived");
    if data.is_dir() {
        let load = |f: &str| Input::from_path(&data.join(f)).expect("readable fixture");
        out.push(Pair {
            name: "england".into(),
            units: load("england_wards_2013.geojson"),
            targets: load("pcon2024_bgc.geojson"),
        });
    }
    out
}

fn stages(c: &mut Criterion) {
    let options = Options::default();
    let projector = Projector::new();
    let mut group = c.benchmark_group("stage");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    let pools: Vec<(usize, rayon::ThreadPool)> = [1, 2]
        .into_iter()
        .map(|n| (n, rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool")))
        .collect();
    for pair in pairs() {
        let id = |stage: &str| BenchmarkId::new(stage, &pair.name);
        group.bench_function(id("read"), |b| b.iter(|| parse(black_box(&pair.units), &pair.targets, None, &options).unwrap()));
        let Parsed { units, targets, votes } = parse(&pair.units, &pair.targets, None, &options).unwrap();
        // As the pipeline does it: project, reach, check.
        group.bench_function(id("project"), |b| {
            b.iter_batched(|| units.clone(), |mut u| prepare(&mut u, &targets, &options, &projector).unwrap(), criterion::BatchSize::LargeInput)
        });
        let ready = prepare(&mut units.clone(), &targets, &options, &projector).unwrap();
        let (unit_geoms, target_geoms) = (ready.units.geometries, ready.targets.geometries);
        group.bench_function(id("index"), |b| {
            b.iter_batched(|| target_geoms.clone(), |t| TargetIndex::new(t).with_extent(ready.extent), criterion::BatchSize::LargeInput)
        });
        let index = TargetIndex::new(target_geoms.clone()).with_extent(ready.extent);
        let crosswalk = Crosswalk::build(&unit_geoms, &index, Method::Area, &Silent);
        let ids: Vec<&str> = targets.features.iter().map(|f| f.id.as_str()).collect();
        let names: Vec<&str> = targets.features.iter().map(|f| f.name.as_deref().unwrap_or("")).collect();
        for (threads, pool) in &pools {
            group.bench_function(id(&format!("crosswalk_{threads}thread")), |b| {
                b.iter(|| pool.install(|| Crosswalk::build(black_box(&unit_geoms), &index, Method::Area, &Silent)))
            });
            group.bench_function(id(&format!("aggregate_{threads}thread")), |b| {
                b.iter(|| {
                    pool.install(|| {
                        let allocation = allocate(black_box(&votes), &crosswalk, index.len());
                        Results::new(votes.parties(), votes.has_electorate(), &ids, &names, &allocation)
                    })
                })
            });
        }
        let outcome = apportion(&pair.units, &pair.targets, None, &options, &Silent).unwrap();
        let dir = tempfile::tempdir().expect("temporary directory");
        group.bench_function(id("write"), |b| b.iter(|| write_outputs(dir.path(), black_box(&outcome), &MapOptions::default(), Durability::Atomic, false).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
