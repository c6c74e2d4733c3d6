//! The embedded illustrative demo: schematic (not real) polygons of the 2024
//! Kensington change, with illustrative ward estimates that add up exactly to
//! each old seat's real 2019 result. See `data/demo/README.md`.

use crate::read::Input;

/// The demo's wards (units): `code, name, old_seat, electorate, con, lab, ld, brx, green, oth`.
pub const WARDS: &str = include_str!("../data/demo/wards.geojson");
/// The demo's new (2024) seats: `code, name`.
pub const SEATS: &str = include_str!("../data/demo/seats.geojson");
/// The demo's old (2019) seats: `code, name`.
pub const OLD_SEATS: &str = include_str!("../data/demo/old_seats.geojson");

/// The demo's units and targets as inputs.
///
/// ```
/// use notional::apportion::{apportion, Options};
/// use notional::progress::Silent;
/// let (wards, seats) = notional::demo::inputs();
/// let outcome = apportion(&wards, &seats, None, &Options::default(), &Silent).unwrap();
/// let kb = outcome.results.seat("E14001310").unwrap();
/// assert_eq!(outcome.results.party(kb.winner), "lab");
/// ```
pub fn inputs() -> (Input, Input) {
    (
        Input::from_text("demo:data/demo/wards.geojson", WARDS),
        Input::from_text("demo:data/demo/seats.geojson", SEATS),
    )
}
