//! The maps of a run: `map.html` (interactive, self-contained) and `map.svg`
//! (static, print-ready), each geographic and, with a HexJSON layout, as a
//! hex cartogram. Both draw one [`SeatMap`], built from a results file.

mod hex;
mod html;
mod seats;
mod simplify;
mod svg;

pub use hex::HexLayout;
pub use html::html;
pub use seats::{MapOptions, MapSeat, OldOutline, SeatMap, MARGINAL, ONS_ATTRIBUTION};
pub use simplify::SimplifyShared;
pub use svg::svg;
