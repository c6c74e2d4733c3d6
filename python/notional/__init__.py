"""notional: recompute election results when boundaries change.

Apportion ward votes to new constituencies (every vote conserved and
ledgered), build notional results for new seats from public inputs, check
inputs, and draw the maps, from Python. The work is done by the same Rust
library as the ``notional`` command line, with the GIL released.

>>> import notional
>>> run = notional.apportion("wards.geojson", "seats.geojson")   # doctest: +SKIP
>>> run.results.head()                                            # doctest: +SKIP

Layers may be file paths (GeoJSON, TopoJSON, Shapefile, zipped Shapefile,
GeoPackage; ``"file.gpkg:layer"`` picks a GeoPackage table) or GeoDataFrames; a frame's geometry is handed over as
GeoArrow arrays (coordinates and offsets, no GeoJSON text) and its CRS is
taken from the frame. Bad input raises :class:`InputError` (a
``ValueError``) with the message the command line prints.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _notional
from ._notional import InputError, __version__

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

__all__ = ["apportion", "recompute", "check", "map", "demo", "Apportionment", "Recomputation", "InputError", "__version__"]

Layer = Union[str, "os.PathLike[str]", "geopandas.GeoDataFrame"]


def _frame(gdf: Any, id_col: str, name_col: Optional[str], what: str, electorate: Optional[str] = None) -> dict:
    """A GeoDataFrame as the arrays the compiled module takes."""
    import numpy as np
    import shapely

    if id_col not in gdf.columns:
        raise InputError(f"{what}: no column `{id_col}` (the id); the columns are {', '.join(str(c) for c in gdf.columns)}")
    if len(gdf) == 0:
        raise InputError(f"{what}: the frame has no rows")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    missing = np.asarray(gdf.geometry.isna())
    if missing.any():
        # Kept as features without geometry: the library warns about each.
        geoms = np.where(missing, shapely.from_wkt("MULTIPOLYGON EMPTY"), geoms)
    kinds = shapely.get_type_id(geoms)
    bad = np.flatnonzero((kinds != 3) & (kinds != 6))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{what}: row {i} (id {gdf[id_col].iloc[i]}), field `geometry`: a {geoms[i].geom_type} is not a Polygon or MultiPolygon")
    # Polygons as one-part MultiPolygons, so that the layout is always GeoArrow's MultiPolygon.
    polygons = kinds == 3
    if polygons.any():
        geoms = geoms.copy()
        geoms[polygons] = shapely.multipolygons(geoms[polygons].reshape(-1, 1))
    _, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    ring_offsets, polygon_offsets, geometry_offsets = (np.ascontiguousarray(o, dtype=np.int64) for o in offsets)
    crs = None
    if gdf.crs is not None:
        epsg = gdf.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg is not None else gdf.crs.to_string()
    columns, skipped = [], []
    for c in gdf.columns:
        if c in (id_col, gdf.geometry.name) or c == name_col:
            continue
        s = gdf[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            columns.append((str(c), np.ascontiguousarray(s.to_numpy(dtype=np.float64, na_value=np.nan))))
        else:
            skipped.append(f"{c} ({s.dtype})")
    return {
        "name": what,
        "ids": [str(v) for v in gdf[id_col].tolist()],
        "names": [str(v) for v in gdf[name_col].tolist()] if name_col and name_col in gdf.columns else None,
        "coords": np.ascontiguousarray(coords, dtype=np.float64).reshape(-1),
        "ring_offsets": ring_offsets,
        "polygon_offsets": polygon_offsets,
        "geometry_offsets": geometry_offsets,
        "crs": crs,
        "columns": columns,
        "electorate": electorate if electorate in gdf.columns else None,
        "skipped": skipped,
    }


def _layer(layer: Layer, id_col: str, name_col: Optional[str], what: str, electorate: Optional[str] = None) -> Any:
    if isinstance(layer, (str, os.PathLike)):
        return os.fspath(layer)
    if hasattr(layer, "geometry") and hasattr(layer, "crs"):
        return _frame(layer, id_col, name_col, what, electorate)
    raise TypeError(f"{what}: expected a file path or a GeoDataFrame, got {type(layer).__name__}")


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


@dataclass
class Apportionment:
    """What :func:`apportion` computed.

    Attributes:
        results: one row per target (seat), as ``results.csv``: votes per
            party, total, winner, second, majority, majority %, electorate,
            turnout.
        crosswalk: ``from,to,weight``: each unit's share of each target.
        ledger: every unit and party: votes in, allocated, unallocated, cause.
        summary: the summary the command line prints (with, for a frame of
            units, the columns not counted as votes).
        skipped_columns: a frame's columns not counted as votes (not numeric).
    """

    results: pd.DataFrame
    crosswalk: pd.DataFrame
    ledger: pd.DataFrame
    summary: str
    _run: Any = field(repr=False)
    skipped_columns: list = field(default_factory=list)

    def to_geodataframe(self) -> "geopandas.GeoDataFrame":
        """The targets with their results, in WGS84 (as ``results.geojson``)."""
        import geopandas

        return geopandas.read_file(io.BytesIO(self._run.results_geojson()))

    def check(self, sliver: float = 0.001) -> dict:
        """``notional check``'s report: CRS, repairs, and coverage problems weighted by votes at stake."""
        return json.loads(self._run.check(sliver))

    def write(
        self, directory: Union[str, "os.PathLike[str]"], *, hexjson: Optional[str] = None, title: Optional[str] = None, attribution: Optional[str] = None, gpkg: bool = False
    ) -> list:
        """Writes results.csv, results.geojson, crosswalk.csv, ledger.csv, map.html and map.svg
        (and with ``gpkg=True`` results.gpkg) into ``directory``, all or nothing."""
        return self._run.write(os.fspath(directory), hexjson=hexjson, title=title, attribution=attribution, gpkg=gpkg)


def apportion(
    units: Layer,
    targets: Layer,
    votes: Optional[Union[str, "os.PathLike[str]"]] = None,
    *,
    from_id: str = "code",
    to_id: str = "code",
    to_name: str = "name",
    votes_id: Optional[str] = None,
    parties: Optional[Sequence[str]] = None,
    electorate: Optional[str] = "electorate",
    method: str = "area",
    title: Optional[str] = None,
) -> Apportionment:
    """Shares every unit's votes among the targets it falls in.

    Args:
        units: the units carrying votes (wards): a file path or a GeoDataFrame.
        targets: the target polygons (new seats): a file path or a GeoDataFrame.
        votes: a CSV of votes keyed by unit id, instead of the units' own columns.
        from_id: the units' id column.
        to_id, to_name: the targets' id and name columns.
        votes_id: the id column of ``votes`` (default ``from_id``).
        parties: the party columns (default: every numeric column, as the
            command line takes them).
        electorate: for a GeoDataFrame of units, the column holding the
            electorate (not counted as votes), if present.
        method: ``"area"`` (split units by area) or ``"centroid"``.
        title: the maps' title, for :meth:`Apportionment.write`.

    Returns:
        An :class:`Apportionment` with ``results``, ``crosswalk``, ``ledger``
        and ``summary``; ``to_geodataframe()`` for the seats with their results.

    Raises:
        InputError: bad input, with the message the command line prints.

    Example:
        >>> run = notional.apportion(wards_gdf, "seats.geojson", to_id="PCON24CD", to_name="PCON24NM")  # doctest: +SKIP
        >>> run.results.sort_values("majority").head()  # doctest: +SKIP
    """
    u = _layer(units, from_id, None, "units", electorate)
    t = _layer(targets, to_id, to_name, "targets")
    run = _notional.apportion(
        u,
        t,
        os.fspath(votes) if votes is not None else None,
        from_id=from_id,
        to_id=to_id,
        to_name=to_name,
        votes_id=votes_id,
        parties=list(parties) if parties is not None else None,
        method_name=method,
        title=title,
    )
    result = _wrap(run)
    if isinstance(u, dict) and u["skipped"] and parties is None:
        result.skipped_columns = list(u["skipped"])
        result.summary += f"skipped columns: {', '.join(u['skipped'])} (not counted as votes; name the party columns with parties=[...] to count them)\n"
    return result


def _wrap(run: Any) -> Apportionment:
    return Apportionment(
        results=_csv(run.results_csv()),
        crosswalk=_csv(run.crosswalk_csv()),
        ledger=_csv(run.ledger_csv()),
        summary=run.summary(),
        _run=run,
    )


def demo() -> Apportionment:
    """The embedded demo: SCHEMATIC boundaries and ILLUSTRATIVE ward figures
    (not real data) around Kensington, apportioned to the new seats.

    >>> import notional
    >>> r = notional.demo().results.set_index("code")
    >>> r.loc["E14001310", "winner"]
    'lab'
    """
    return _wrap(_notional.demo())


def check(units: Layer, targets: Layer, *, from_id: str = "code", to_id: str = "code", to_name: str = "name", sliver: float = 0.001, **kwargs: Any) -> dict:
    """Diagnoses two layers (CRS, invalid geometry, coverage problems weighted
    by the votes at stake), as ``notional check`` does; returns its report."""
    return apportion(units, targets, from_id=from_id, to_id=to_id, to_name=to_name, **kwargs).check(sliver)


@dataclass
class Recomputation:
    """What :func:`recompute` computed: the tables it writes, read back.

    Attributes:
        results: ``results.csv``: per new seat, votes, winner, majority, and
            the composition, later-result and ensemble columns.
        composition: ``composition.csv``: every old × new seat overlap.
        uncertainty: ``uncertainty.csv`` (with an ensemble), else ``None``.
        report: ``report.txt``: each new seat in words.
        route: the route taken, in words.
        notes: what was repaired or left out.
    """

    results: pd.DataFrame
    composition: pd.DataFrame
    uncertainty: Optional[pd.DataFrame]
    report: str
    route: str
    notes: list
    _run: Any = field(repr=False)
    _geojson: bytes = field(repr=False, default=b"")

    def to_geodataframe(self) -> "geopandas.GeoDataFrame":
        """The new seats with their results, in WGS84."""
        import geopandas

        return geopandas.read_file(io.BytesIO(self._geojson))

    def write(
        self, directory: Union[str, "os.PathLike[str]"], *, hexjson: Optional[str] = None, title: Optional[str] = None, attribution: Optional[str] = None, gpkg: bool = False
    ) -> list:
        """Writes every output (results, composition, report, wards, uncertainty, maps; with ``gpkg=True`` results.gpkg) into ``directory``."""
        return self._run.write(os.fspath(directory), hexjson=hexjson, title=title, attribution=attribution, gpkg=gpkg)


def recompute(
    recipe: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    *,
    data: Optional[Union[str, "os.PathLike[str]"]] = None,
    ensemble: Optional[int] = None,
    seed: int = 1,
) -> Recomputation:
    """Notional results on new seats from public inputs, as ``notional recompute --recipe``.

    Args:
        recipe: a recipe file (TOML, as ``examples/gb_2019.toml``) or the same
            as a dict, e.g. ``{"old": {"seats": "old.geojson", "results": "r.csv"},
            "new": {"seats": "new.geojson"}}``.
        data: the folder the recipe's files are relative to (default: the
            recipe's folder, or the working directory for a dict).
        ensemble: draws of the ward method, for each seat's uncertainty.
        seed: the ensemble's seed.

    Raises:
        InputError: bad input, with the message the command line prints.
    """
    kwargs = dict(data=os.fspath(data) if data is not None else None, ensemble=ensemble, seed=seed)
    if isinstance(recipe, Mapping):
        run = _notional.recompute(recipe_json=json.dumps(recipe), **kwargs)
    else:
        run = _notional.recompute(recipe_path=os.fspath(recipe), **kwargs)
    with tempfile.TemporaryDirectory(prefix="notional-") as d:
        run.write(d)
        read = lambda name: open(os.path.join(d, name), "rb").read()  # noqa: E731
        uncertainty = os.path.join(d, "uncertainty.csv")
        return Recomputation(
            results=_csv(read("results.csv")),
            composition=_csv(read("composition.csv")),
            uncertainty=_csv(read("uncertainty.csv")) if os.path.exists(uncertainty) else None,
            report=read("report.txt").decode("utf-8"),
            route=run.route,
            notes=list(run.notes),
            _run=run,
            _geojson=read("results.geojson"),
        )


def map(  # noqa: A001 (the command's name)
    directory: Union[str, "os.PathLike[str]"],
    *,
    hexjson: Optional[str] = None,
    old_seats: Optional[str] = None,
    title: Optional[str] = None,
    attribution: Optional[str] = None,
) -> list:
    """Redraws ``map.html`` and ``map.svg`` of a results folder, as ``notional map``."""
    return _notional.map(os.fspath(directory), hexjson=hexjson, old_seats=old_seats, title=title, attribution=attribution)
