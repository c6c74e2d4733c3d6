//! Any bytes as the units layer, apportioned onto the demo's seats: the whole
//! pipeline (crosswalk, allocation, results, exports to memory).
#![no_main]
use libfuzzer_sys::fuzz_target;
use notional::apportion::{apportion, Options};
use notional::progress::Silent;
use notional::read::Input;

fuzz_target!(|data: &[u8]| {
    let units = Input::from_text("fuzz.geojson", String::from_utf8_lossy(data).into_owned());
    let seats = Input::from_text("seats", notional::demo::SEATS);
    if let Ok(outcome) = apportion(&units, &seats, None, &Options::default(), &Silent) {
        let s = outcome.summary();
        assert_eq!(s.votes_in, s.allocated + s.unallocated, "votes not conserved");
        let mut out = Vec::new();
        let _ = notional::export::results_csv(&outcome.results, &[], &mut out);
        let _ = notional::export::ledger_csv(&outcome.votes, &outcome.crosswalk, &outcome.unit_ids(), &mut out);
    }
});
