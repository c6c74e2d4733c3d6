//! `notional._notional`: the compiled half of the Python package. The
//! Python half (`notional/__init__.py`) turns GeoDataFrames into the plain
//! arrays taken here (GeoArrow's layout: coordinates and offsets) and the
//! CSV and GeoJSON bytes returned here into pandas and geopandas objects.
//!
//! Every computation runs with the GIL released; every library error is
//! raised as `notional.InputError` (a `ValueError`) with the message the
//! command line prints; a panic would be a bug, and is raised as a
//! `RuntimeError` rather than unwinding into Python.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use notional::apportion::{apportion_layers, Options, Outcome};
use notional::crosswalk::Method;
use notional::election::ensemble::EnsembleSpec;
use notional::export::map::{MapOptions, SeatMap};
use notional::export::{crosswalk_csv, ledger_csv, results_csv, results_geojson, write_files_removing, write_outputs, write_recomputed, Durability};
use notional::progress::Silent;
use notional::read::{read_layer, Input, Layer, VoteTable};
use notional::recipe::{MapPart, Recipe};
use notional::recompute::{recompute as run_recompute, Recomputed};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::{Path, PathBuf};

pyo3::create_exception!(
    notional,
    InputError,
    PyValueError,
    "Bad input: the message names the file (or frame), the feature or row, and the field, as the command line's does."
);

fn input_error(context: &str, e: impl std::fmt::Display) -> PyErr {
    InputError::new_err(if context.is_empty() { e.to_string() } else { format!("{context}: {e}") })
}

/// Runs `f` without the GIL; a panic becomes a `RuntimeError`.
fn compute<T: Send>(py: Python<'_>, f: impl FnOnce() -> PyResult<T> + Send) -> PyResult<T> {
    py.detach(|| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let what = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            Err(PyRuntimeError::new_err(format!("notional: internal error (please report it): {what}")))
        }
    })
}

/// A layer handed over from Python: its name for messages, ids, names, the
/// geometries as GeoArrow MultiPolygon arrays, the CRS, and numeric columns.
struct Frame {
    name: String,
    ids: Vec<String>,
    names: Option<Vec<String>>,
    coords: Vec<f64>,
    rings: Vec<i64>,
    polygons: Vec<i64>,
    geometries: Vec<i64>,
    crs: Option<String>,
    columns: Vec<(String, Vec<f64>)>,
    electorate: Option<String>,
}

fn buffer<T: pyo3::buffer::Element + Copy>(d: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<T>> {
    let v = d.get_item(key)?.ok_or_else(|| PyValueError::new_err(format!("frame: missing `{key}`")))?;
    PyBuffer::<T>::get(&v)?.to_vec(d.py())
}

impl Frame {
    fn extract(d: &Bound<'_, PyDict>) -> PyResult<Frame> {
        let get = |k: &str| d.get_item(k).ok().flatten();
        let columns = match get("columns") {
            Some(c) => {
                let mut out = Vec::new();
                for item in c.try_iter()? {
                    let (name, values): (String, Bound<'_, PyAny>) = item?.extract()?;
                    out.push((name, PyBuffer::<f64>::get(&values)?.to_vec(d.py())?));
                }
                out
            }
            None => Vec::new(),
        };
        Ok(Frame {
            name: get("name").map(|v| v.extract()).transpose()?.unwrap_or_else(|| "frame".into()),
            ids: get("ids").ok_or_else(|| PyValueError::new_err("frame: missing `ids`"))?.extract()?,
            names: get("names").filter(|v| !v.is_none()).map(|v| v.extract()).transpose()?,
            coords: buffer(d, "coords")?,
            rings: buffer(d, "ring_offsets")?,
            polygons: buffer(d, "polygon_offsets")?,
            geometries: buffer(d, "geometry_offsets")?,
            crs: get("crs").filter(|v| !v.is_none()).map(|v| v.extract()).transpose()?,
            columns,
            electorate: get("electorate").filter(|v| !v.is_none()).map(|v| v.extract()).transpose()?,
        })
    }

    /// The MultiPolygons the offsets describe.
    fn multipolygons(&self) -> Result<Vec<MultiPolygon<f64>>, String> {
        let range = |offsets: &[i64], i: usize, of: usize, what: &str| -> Result<std::ops::Range<usize>, String> {
            let (a, b) = (offsets.get(i).copied().unwrap_or(-1), offsets.get(i + 1).copied().unwrap_or(-1));
            if a < 0 || b < a || b as usize > of {
                return Err(format!("{}: {what} offsets are not a valid GeoArrow layout at {i}", self.name));
            }
            Ok(a as usize..b as usize)
        };
        let n_coords = self.coords.len() / 2;
        (0..self.geometries.len().saturating_sub(1))
            .map(|g| {
                let polys = range(&self.geometries, g, self.polygons.len().saturating_sub(1), "geometry")?;
                polys
                    .map(|p| {
                        let rings = range(&self.polygons, p, self.rings.len().saturating_sub(1), "polygon")?;
                        let mut rings = rings
                            .map(|r| {
                                let c = range(&self.rings, r, n_coords, "ring")?;
                                Ok(LineString::new(c.map(|k| Coord { x: self.coords[2 * k], y: self.coords[2 * k + 1] }).collect()))
                            })
                            .collect::<Result<Vec<_>, String>>()?;
                        let exterior = if rings.is_empty() { LineString::new(vec![]) } else { rings.remove(0) };
                        Ok(Polygon::new(exterior, rings))
                    })
                    .collect::<Result<Vec<_>, String>>()
                    .map(MultiPolygon::new)
            })
            .collect()
    }

    /// The layer, checked as a file's would be.
    fn layer(&self) -> PyResult<Layer> {
        let geometries = self.multipolygons().map_err(|e| input_error("", e))?;
        Layer::from_parts(self.name.clone(), self.ids.clone(), self.names.clone(), geometries, self.crs.as_deref()).map_err(|e| input_error("", e))
    }

    /// The vote columns as counts: each value must be a finite, non-negative whole number.
    fn votes(&self, parties: Option<&[String]>) -> PyResult<VoteTable> {
        let counts = |name: &str, values: &[f64]| -> PyResult<Vec<u64>> {
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
                        Ok(v as u64)
                    } else {
                        Err(InputError::new_err(format!(
                            "{}: row {i} (id {}), column `{name}`: {v} is not a count of votes (a whole number, 0 or more)",
                            self.name, self.ids.get(i).map_or("?", String::as_str)
                        )))
                    }
                })
                .collect()
        };
        let mut columns = Vec::new();
        let mut electorate = None;
        for (name, values) in &self.columns {
            if Some(name) == self.electorate.as_ref() {
                electorate = Some(counts(name, values)?);
            } else if parties.is_none_or(|p| p.contains(name)) {
                columns.push((name.clone(), counts(name, values)?));
            }
        }
        if let Some(p) = parties {
            if let Some(missing) = p.iter().find(|p| !columns.iter().any(|(n, _)| &n == p)) {
                return Err(InputError::new_err(format!("{}: party column `{missing}` is not a numeric column of the frame", self.name)));
            }
        }
        if columns.is_empty() {
            return Err(InputError::new_err(format!(
                "{}: no vote columns: the frame has no numeric column besides its id and electorate; name the party columns with parties=[...]",
                self.name
            )));
        }
        VoteTable::from_columns(columns, electorate).map_err(|e| input_error("", e))
    }
}

/// A layer argument: a path, or a frame handed over as arrays.
enum Source {
    Path(PathBuf),
    Frame(Frame),
}

impl Source {
    fn extract(arg: &Bound<'_, PyAny>) -> PyResult<Source> {
        match arg.cast::<PyDict>() {
            Ok(d) => Ok(Source::Frame(Frame::extract(d)?)),
            Err(_) => Ok(Source::Path(arg.extract()?)),
        }
    }

    fn layer(&self, id: &str, name: Option<&str>) -> PyResult<Layer> {
        match self {
            Source::Path(p) => {
                let input = Input::from_path(p).map_err(|e| input_error("", e))?;
                read_layer(&input, id, name).map_err(|e| input_error("", e))
            }
            Source::Frame(f) => f.layer(),
        }
    }
}

fn method(name: &str) -> PyResult<Method> {
    match name {
        "area" => Ok(Method::Area),
        "centroid" => Ok(Method::Centroid),
        other => Err(InputError::new_err(format!("method `{other}` is not one of area, centroid"))),
    }
}

/// The result of [`apportion`]: the outcome, kept for its outputs.
#[pyclass(module = "notional._notional", frozen)]
struct Apportionment {
    outcome: Outcome,
    title: String,
}

fn to_bytes<'py>(py: Python<'py>, f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> PyResult<Bound<'py, PyBytes>> {
    let mut buf = Vec::new();
    f(&mut buf).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &buf))
}

fn map_options(hexjson: Option<PathBuf>, title: Option<String>, attribution: Option<String>, default_title: &str, recipe: Option<&MapPart>) -> PyResult<MapOptions> {
    MapOptions::resolve(hexjson, title, attribution, recipe, || default_title.to_string()).map_err(|e| input_error("", e))
}

fn written(w: notional::export::Written) -> Vec<String> {
    w.files.iter().map(|p| p.display().to_string()).collect()
}

#[pymethods]
impl Apportionment {
    /// `results.csv` as bytes.
    fn results_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        to_bytes(py, |b| results_csv(&self.outcome.results, &[], b))
    }

    /// `crosswalk.csv` as bytes.
    fn crosswalk_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let (u, t) = (self.outcome.unit_ids(), self.outcome.target_ids());
        to_bytes(py, |b| crosswalk_csv(&self.outcome.crosswalk, &u, &t, b))
    }

    /// `ledger.csv` as bytes.
    fn ledger_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let u = self.outcome.unit_ids();
        to_bytes(py, |b| ledger_csv(&self.outcome.votes, &self.outcome.crosswalk, &u, b))
    }

    /// `results.geojson` as bytes.
    fn results_geojson<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let g = self.outcome.target_geometries_wgs84().map_err(|e| input_error("", e))?;
        to_bytes(py, |b| results_geojson(&self.outcome.results, &g, &[], b))
    }

    /// The summary the command line prints.
    fn summary(&self) -> String {
        self.outcome.summary().to_string()
    }

    /// `notional check`'s report, as JSON text.
    #[pyo3(signature = (sliver = 0.001))]
    fn check(&self, sliver: f64) -> PyResult<String> {
        serde_json::to_string(&notional::check::check(&self.outcome, sliver)).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Writes the run's outputs (results, crosswalk, ledger, map.html, map.svg, with `gpkg` results.gpkg) into `dir`.
    #[pyo3(signature = (dir, hexjson = None, title = None, attribution = None, gpkg = false))]
    fn write(&self, py: Python<'_>, dir: PathBuf, hexjson: Option<PathBuf>, title: Option<String>, attribution: Option<String>, gpkg: bool) -> PyResult<Vec<String>> {
        let map = map_options(hexjson, title, attribution, &self.title, None)?;
        compute(py, || write_outputs(&dir, &self.outcome, &map, Durability::Atomic, gpkg).map(written).map_err(|e| input_error(&format!("cannot write outputs to {}", dir.display()), e)))
    }
}

/// Apportions the units' votes among the targets. `units` and `targets` are
/// paths or frames (dicts of arrays, made by the Python wrapper).
#[pyfunction]
#[pyo3(signature = (units, targets, votes = None, from_id = "code".to_string(), to_id = "code".to_string(), to_name = "name".to_string(), votes_id = None, parties = None, method_name = "area".to_string(), title = None))]
#[allow(clippy::too_many_arguments)]
fn apportion(
    py: Python<'_>,
    units: &Bound<'_, PyAny>,
    targets: &Bound<'_, PyAny>,
    votes: Option<PathBuf>,
    from_id: String,
    to_id: String,
    to_name: String,
    votes_id: Option<String>,
    parties: Option<Vec<String>>,
    method_name: String,
    title: Option<String>,
) -> PyResult<Apportionment> {
    let (units, targets) = (Source::extract(units)?, Source::extract(targets)?);
    let options = Options { from_id, votes_id, to_id, to_name, parties, method: method(&method_name)?, ..Options::default() };
    let title = title.unwrap_or_else(|| "Votes apportioned by notional".into());
    compute(py, move || {
        let context = "cannot apportion";
        let units_layer = units.layer(&options.from_id, None).map_err(|e| prefix(context, e))?;
        let targets_layer = targets.layer(&options.to_id, Some(&options.to_name)).map_err(|e| prefix(context, e))?;
        let table = match (&votes, &units) {
            (Some(csv), _) => {
                let input = Input::from_path(csv).map_err(|e| input_error(context, e))?;
                VoteTable::from_csv(&input, options.votes_id.as_deref().unwrap_or(&options.from_id), options.parties.as_deref(), &units_layer)
                    .map_err(|e| input_error(context, e))?
            }
            (None, Source::Frame(f)) => f.votes(options.parties.as_deref()).map_err(|e| prefix(context, e))?,
            (None, Source::Path(_)) => {
                VoteTable::from_properties(&units_layer, &options.from_id, options.parties.as_deref()).map_err(|e| input_error(context, e))?
            }
        };
        let outcome = apportion_layers(units_layer, targets_layer, table, &options, &Silent).map_err(|e| input_error(context, e))?;
        Ok(Apportionment { outcome, title })
    })
}

/// The embedded demo (schematic boundaries, illustrative ward figures):
/// its wards apportioned to the new seats, as `notional demo` prints them.
#[pyfunction]
fn demo(py: Python<'_>) -> PyResult<Apportionment> {
    compute(py, || {
        let (wards, seats) = notional::demo::inputs();
        let outcome = notional::apportion::apportion(&wards, &seats, None, &Options::default(), &Silent).map_err(|e| input_error("demo", e))?;
        Ok(Apportionment { outcome, title: "notional demo: SCHEMATIC boundaries, ILLUSTRATIVE ward estimates".into() })
    })
}

/// An InputError's message with `context` in front (other errors as they are).
fn prefix(context: &str, e: PyErr) -> PyErr {
    Python::attach(|py| if e.is_instance_of::<InputError>(py) { InputError::new_err(format!("{context}: {}", e.value(py))) } else { e })
}

/// The result of [`recompute`].
#[pyclass(module = "notional._notional", frozen)]
struct Recomputation {
    rec: Recomputed,
    map: Option<MapPart>,
    title: String,
}

#[pymethods]
impl Recomputation {
    /// Writes every output (results, composition, report, wards, uncertainty, maps, with `gpkg` results.gpkg) into `dir`.
    #[pyo3(signature = (dir, hexjson = None, title = None, attribution = None, gpkg = false))]
    fn write(&self, py: Python<'_>, dir: PathBuf, hexjson: Option<PathBuf>, title: Option<String>, attribution: Option<String>, gpkg: bool) -> PyResult<Vec<String>> {
        let map = map_options(hexjson, title, attribution, &self.title, self.map.as_ref())?;
        compute(py, || {
            write_recomputed(&dir, &self.rec, &map, Durability::Atomic, gpkg).map(written).map_err(|e| input_error(&format!("cannot write outputs to {}", dir.display()), e))
        })
    }

    /// The route taken, in words.
    #[getter]
    fn route(&self) -> &'static str {
        self.rec.route
    }

    /// Notes on what was repaired or left out, in words.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.rec.notes.clone()
    }
}

/// Recomputes from a recipe: a path to a TOML file, or the same as JSON
/// text (the Python wrapper's dict); files are relative to `data` (or the
/// recipe's folder).
#[pyfunction]
#[pyo3(signature = (recipe_path = None, recipe_json = None, data = None, ensemble = None, seed = 1))]
fn recompute(py: Python<'_>, recipe_path: Option<PathBuf>, recipe_json: Option<String>, data: Option<PathBuf>, ensemble: Option<usize>, seed: u64) -> PyResult<Recomputation> {
    compute(py, move || {
        let context = "cannot recompute";
        let loaded = match (recipe_path, recipe_json) {
            (Some(p), None) => Recipe::load(&p, data.as_deref()).map_err(|e| input_error(context, e))?,
            (None, Some(json)) => {
                let recipe: Recipe = serde_json::from_str(&json).map_err(|e| InputError::new_err(format!("{context}: the recipe is not valid: {e}")))?;
                recipe.resolve(data.as_deref().unwrap_or(Path::new("."))).map_err(|e| input_error(context, e))?
            }
            _ => return Err(PyValueError::new_err("give one recipe: a path or a dict")),
        };
        let mut spec = loaded.spec;
        if let Some(draws) = ensemble {
            let e = EnsembleSpec { draws, seed, ..spec.ensemble.clone().unwrap_or_default() };
            e.validate().map_err(|e| input_error("ensemble", e))?;
            spec.ensemble = Some(e);
        }
        let title = format!("Notional results on {}, from {}", spec.new_seats.name(), spec.old_results.name());
        let rec = run_recompute(&spec, &Silent).map_err(|e| input_error(context, e))?;
        Ok(Recomputation { rec, map: loaded.map, title })
    })
}

/// Redraws `dir/map.html` and `dir/map.svg` from its `results.geojson` (and
/// `composition.csv`), as `notional map` does.
#[pyfunction]
#[pyo3(signature = (dir, hexjson = None, old_seats = None, title = None, attribution = None))]
fn map(py: Python<'_>, dir: PathBuf, hexjson: Option<PathBuf>, old_seats: Option<PathBuf>, title: Option<String>, attribution: Option<String>) -> PyResult<Vec<String>> {
    let options = map_options(hexjson, title, attribution, &format!("Notional results: {}", dir.display()), None)?;
    compute(py, move || {
        let err = |e: notional::Error| input_error("cannot draw the map", e);
        let results = Input::from_path(&dir.join("results.geojson")).map_err(err)?;
        let comp_path = dir.join("composition.csv");
        let composition = if comp_path.exists() { Some(Input::from_path(&comp_path).map_err(err)?) } else { None };
        let old = match old_seats {
            Some(p) => SeatMap::outlines(&Input::from_path(&p).and_then(|i| read_layer(&i, "code", Some("name"))).map_err(err)?).map_err(err)?,
            None => Vec::new(),
        };
        let m = SeatMap::from_results(&results, composition.as_ref(), old, options).map_err(err)?;
        let (html, svg) = (notional::export::map::html(&m), notional::export::map::svg(&m));
        write_files_removing(&dir, &[("map.html", html.as_bytes()), ("map.svg", svg.as_bytes())], &[], Durability::Atomic).map(written).map_err(err)
    })
}

#[pymodule]
fn _notional(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Apportionment>()?;
    m.add_class::<Recomputation>()?;
    m.add_function(wrap_pyfunction!(apportion, m)?)?;
    m.add_function(wrap_pyfunction!(recompute, m)?)?;
    m.add_function(wrap_pyfunction!(map, m)?)?;
    m.add_function(wrap_pyfunction!(demo, m)?)?;
    Ok(())
}
