//! Any bytes as a GeoJSON/TopoJSON layer: read, detect CRS, project, repair.
#![no_main]
use libfuzzer_sys::fuzz_target;
use notional::geometry::project::Projector;
use notional::read::{read_layer, Input};
use notional::geometry::prepare::Prepared;

fuzz_target!(|data: &[u8]| {
    let input = Input::from_text("fuzz.geojson", String::from_utf8_lossy(data).into_owned());
    if let Ok(layer) = read_layer(&input, "code", Some("name")) {
        let _ = Prepared::new(&layer, None, &Projector::new());
    }
});
