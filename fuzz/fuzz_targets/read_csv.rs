//! Any bytes as a votes CSV and as local-election results.
#![no_main]
use libfuzzer_sys::fuzz_target;
use notional::read::{Aliases, Input, KeyedTable, LocalResults, MultiMember};

fuzz_target!(|data: &[u8]| {
    let input = Input::from_text("fuzz.csv", String::from_utf8_lossy(data).into_owned());
    let _ = KeyedTable::read(&input, "code", None);
    let _ = KeyedTable::read_keeping_duplicates(&input, "code", None);
    let _ = LocalResults::read(&input, "code", MultiMember::Mean, &Aliases::default());
    let _ = Aliases::read(&input);
});
