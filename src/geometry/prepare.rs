//! **Prepare** a layer for geometry work: its CRS detected ([`super::crs`]),
//! its geometries projected to British National Grid ([`super::project`]),
//! checked and repaired ([`super::repair`]).

use super::crs::{detect_stated, Crs, Detected};
use super::project::{layer_to_bng_except, layer_to_bng_in_place, Projector};
use super::repair::{repair_all, Repair};
use crate::error::Result;
use crate::read::Layer;
use geo::MultiPolygon;

/// A layer ready for geometry work: its CRS, its geometries in BNG metres
/// (repaired where invalid) and what was repaired or rejected.
pub struct Prepared {
    /// The detected CRS.
    pub crs: Detected,
    /// Geometries in BNG, by feature.
    pub geometries: Vec<MultiPolygon<f64>>,
    /// Invalid features found, repaired or rejected.
    pub repairs: Vec<Repair>,
}

impl Prepared {
    /// Detects a layer's CRS (as stated, if `stated`: see [`detect_stated`]),
    /// projects it and repairs what is invalid.
    pub fn new(layer: &Layer, stated: Option<Crs>, projector: &Projector) -> Result<Self> {
        let mut prepared = Self::projected_except(layer, detect_stated(layer, stated)?, projector, &[])?;
        prepared.check();
        Ok(prepared)
    }

    /// Projected in the CRS already detected, not yet checked
    /// ([`Prepared::check`]), leaving the features `except` (ascending)
    /// empty, unprojected ([`layer_to_bng_except`]: targets no unit can reach).
    pub fn projected_except(layer: &Layer, crs: Detected, projector: &Projector, except: &[usize]) -> Result<Self> {
        let geometries = layer_to_bng_except(layer, crs.crs, projector, except)?;
        Ok(Prepared { crs, geometries, repairs: Vec::new() })
    }

    /// Takes the geometries out of `layer` and projects them where they lie,
    /// without a copy, not yet checked ([`Prepared::check`]): for a layer not
    /// needed in its own coordinates afterwards (the units of a run). The
    /// layer keeps its ids and properties; its geometries are left empty,
    /// also when an error is returned.
    ///
    /// ```
    /// use notional::geometry::{Prepared, Projector};
    /// use notional::read::{read_layer, Input};
    /// let text = r#"{"type":"FeatureCollection","features":[
    ///   {"type":"Feature","properties":{"code":"A"},
    ///    "geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.1,51.5],[-0.1,51.6],[-0.2,51.5]]]}}]}"#;
    /// let mut layer = read_layer(&Input::from_text("a.geojson", text), "code", None).unwrap();
    /// let copied = Prepared::new(&layer, None, &Projector::new()).unwrap();
    /// let mut taken = Prepared::take_unchecked(&mut layer, None, &Projector::new()).unwrap();
    /// taken.check();
    /// assert_eq!(taken.geometries, copied.geometries);
    /// assert!(layer.features[0].geometry.0.is_empty() && layer.features[0].id == "A");
    /// ```
    pub fn take_unchecked(layer: &mut Layer, stated: Option<Crs>, projector: &Projector) -> Result<Self> {
        let crs = detect_stated(layer, stated)?;
        Self::take_detected(layer, crs, projector)
    }

    /// As [`Prepared::take_unchecked`], in the CRS already detected.
    pub fn take_detected(layer: &mut Layer, crs: Detected, projector: &Projector) -> Result<Self> {
        let geometries = layer_to_bng_in_place(layer, crs.crs, projector)?;
        Ok(Prepared { crs, geometries, repairs: Vec::new() })
    }

    /// Detected and projected as [`Prepared::new`], not yet checked
    /// ([`Prepared::check`]), in the plane suited to where the layer lies
    /// ([`Projector::suited`]: British National Grid in Britain, an
    /// equal-area plane centred on the data elsewhere); returns the projector.
    ///
    /// ```
    /// use notional::geometry::{Prepared, project::Plane};
    /// use notional::read::{read_layer, Input};
    /// let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},
    ///   "geometry":{"type":"Polygon","coordinates":[[[-98.0,38.5],[-97.9,38.5],[-97.9,38.6],[-98.0,38.5]]]}}]}"#;
    /// let layer = read_layer(&Input::from_text("kansas.geojson", text), "code", None).unwrap();
    /// let (prepared, projector) = Prepared::suited(&layer).unwrap();
    /// assert_eq!(projector.plane(), Plane::Laea { lon: -97.95, lat: 38.55 });
    /// assert!(prepared.geometries[0].0[0].exterior().0[0].x.abs() < 10_000.0); // metres from the centre
    /// ```
    pub fn suited(layer: &Layer) -> Result<(Self, Projector)> {
        let crs = detect_stated(layer, None)?;
        let projector = Projector::suited(crs.lonlat_extent());
        let prepared = Self::projected_except(layer, crs, &projector, &[])?;
        Ok((prepared, projector))
    }

    /// Checks every geometry and repairs the invalid ones ([`repair_all`]),
    /// replacing what an earlier check found.
    pub fn check(&mut self) {
        self.repairs = repair_all(&mut self.geometries);
    }

    /// Leaves out `features`: their geometries are emptied, so that nothing
    /// later checks, indexes or measures them (for targets no unit can
    /// reach, [`crate::geometry::reach::unreached`]). Call before [`Prepared::check`].
    ///
    /// ```
    /// use notional::geometry::project::Projector;
    /// use notional::geometry::prepare::Prepared;
    /// let (_, seats) = notional::demo::inputs();
    /// let seats = notional::read::read_layer(&seats, "code", Some("name")).unwrap();
    /// let crs = notional::geometry::crs::detect(&seats).unwrap();
    /// let mut prepared = Prepared::projected_except(&seats, crs, &Projector::new(), &[]).unwrap();
    /// prepared.leave_out(&[0]);
    /// prepared.check();
    /// assert!(prepared.geometries[0].0.is_empty() && !prepared.geometries[1].0.is_empty());
    /// ```
    pub fn leave_out(&mut self, features: &[usize]) {
        for &f in features {
            self.geometries[f] = MultiPolygon::new(Vec::new());
        }
    }

    /// Indices of rejected features.
    pub fn rejected(&self) -> impl Iterator<Item = usize> + '_ {
        self.repairs.iter().filter(|r| !r.repaired).map(|r| r.feature)
    }

    /// One line for the summary, e.g. `3 invalid features repaired, 1 rejected`.
    pub fn describe(&self, layer: &Layer) -> Option<String> {
        if self.repairs.is_empty() {
            return None;
        }
        let rejected: Vec<String> = self.rejected().map(|f| layer.place(f)).collect();
        let mut s = format!("{}: {} invalid feature(s) repaired", layer.source_name, self.repairs.len() - rejected.len());
        if !rejected.is_empty() {
            s.push_str(&format!(", {} rejected ({})", rejected.len(), rejected.join(", ")));
        }
        Some(s)
    }
}
