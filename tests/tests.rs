//! The one integration-test binary (links once). Modules:
//! - `api`: layers and votes built in memory against the same read from files;
//! - `architecture`: the library's layout: no import cycles, no binary dependencies;
//! - `cells`: the raster that places small nested units, the tree of chain boxes and the targets units can reach, against the slow way round;
//! - `crosswalk`: how single units are shared (nested, split, outside, holes, CRS);
//! - `readers`: input parsing and its error messages;
//! - `formats`: Shapefiles (plain and zipped) and GeoPackages, read as layers; results.gpkg;
//! - `export`: the map writer's coordinates against the plain way of writing them;
//! - `property`: proptest conservation on random tilings;
//! - `overlap`: proptest boundary-integration areas against the exact overlay;
//! - `cli`: the binary end to end;
//! - `stream`: the streaming GeoJSON reader against the reference reader;
//! - `repair`: the validity check against a brute-force test of every segment pair;
//! - `project`: the fast WGS84 → BNG grid against the exact transform;
//! - `beyond_gb`: layers outside Britain, in lon/lat and a US state plane, against independently computed areas;
//! - `browser`: map.html in headless Chromium through the DevTools protocol (used by `real_data`);
//! - `real_data`: the real-data suite on `../shared/data` (ignored by default;
//!   `.ci/run` runs it with `--ignored`).

mod support;

mod api;
mod beyond_gb;
mod browser;
mod architecture;
mod cells;
mod cli;
mod export;
mod formats;
mod malformed;
mod mutations;
mod crosswalk;
mod overlap;
mod project;
mod property;
mod readers;
mod recompute;
mod repair;
mod stream;
mod real_data;
