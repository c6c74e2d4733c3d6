"""The Python package against the command line, on the demo and real data.

Real data is read from ``../shared/data`` beside the repository (or
``$NOTIONAL_DATA``); the command line from ``$NOTIONAL_BIN`` or the
repository's ``target/{release,debug}/notional``.
"""

import io
import os
import subprocess
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely

import notional

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("NOTIONAL_DATA", ROOT.parent / "shared" / "data"))
DERIVED = DATA / "derived"
WARDS = DERIVED / "london_wards_2022.geojson"
SEATS = DERIVED / "pcon2024_bgc.geojson"
KB = "E14001310"


def cli() -> Path:
    env = os.environ.get("NOTIONAL_BIN")
    candidates = [Path(env)] if env else [ROOT / "target" / "release" / "notional", ROOT / "target" / "debug" / "notional"]
    found = [c for c in candidates if c.exists()]
    assert found, f"no notional binary at {candidates}: build it (cargo build) or set NOTIONAL_BIN"
    return found[0]


def test_demo_gives_kensington_and_bayswater_to_labour():
    run = notional.demo()
    r = run.results.set_index("code")
    assert r.loc[KB, "winner"] == "lab"
    assert run.ledger["unallocated"].sum() == 0
    assert "votes in:" in run.summary


def test_london_from_python_equals_the_command_line(tmp_path):
    out = tmp_path / "cli"
    subprocess.run([cli(), "apportion", WARDS, SEATS, "-o", out, "-q"], check=True, capture_output=True)
    run = notional.apportion(WARDS, SEATS)
    assert run._run.results_csv() == (out / "results.csv").read_bytes()
    assert run._run.crosswalk_csv() == (out / "crosswalk.csv").read_bytes()
    assert run._run.ledger_csv() == (out / "ledger.csv").read_bytes()
    # And the same from GeoDataFrames, handed over as arrays with their CRS.
    wards, seats = geopandas.read_file(WARDS), geopandas.read_file(SEATS)
    frames = notional.apportion(wards, seats)
    pd.testing.assert_frame_equal(frames.results, run.results)
    # The text column is not counted, and the summary says so, as the command line's does.
    assert frames.skipped_columns == ["name (object)"] or frames.skipped_columns[0].startswith("name ("), frames.skipped_columns
    assert "skipped columns: name (" in frames.summary
    # In British National Grid too: the frame's CRS is read, and areas are the same up to rounding.
    bng = notional.apportion(wards.to_crs(27700), seats.to_crs(27700))
    a, b = bng.results.set_index("code"), run.results.set_index("code")
    parties = ["con", "lab", "ld", "brx", "green", "oth"]
    assert (a[parties] - b.loc[a.index, parties]).abs().to_numpy().max() <= 1
    assert a["total"].sum() == b["total"].sum()


def test_london_from_shapefile_and_geopackage_equals_geojson(tmp_path):
    formats = DERIVED / "formats"
    parties = ["con", "lab", "ld", "brx", "green", "oth"]
    want = notional.apportion(WARDS, SEATS).results.set_index("code")
    for units, targets in [
        (formats / "london_wards_2022_bng.shp", formats / "pcon2024_bgc_bng.shp"),
        (f"{formats / 'london_wards_2022.gpkg'}:wards", formats / "pcon2024_bgc_bng.gpkg"),
        (geopandas.read_file(formats / "london_wards_2022_bng.shp"), geopandas.read_file(formats / "pcon2024_bgc_bng.gpkg")),
    ]:
        got = notional.apportion(units, targets).results.set_index("code")
        diff = (got[parties] - want.loc[got.index, parties]).abs().to_numpy().max()
        assert diff <= 1, f"{units}: {diff}"
        assert got["total"].sum() == want["total"].sum()
    run = notional.apportion(formats / "london_wards_2022_bng.shp", formats / "pcon2024_bgc_bng.shp")
    names = sorted(Path(f).name for f in run.write(tmp_path / "out", gpkg=True))
    assert "results.gpkg" in names
    back = geopandas.read_file(tmp_path / "out" / "results.gpkg")
    assert back.crs.to_epsg() == 4326 and len(back) == len(run.results)


def test_geodataframe_round_trip():
    run = notional.apportion(WARDS, SEATS)
    gdf = run.to_geodataframe()
    assert isinstance(gdf, geopandas.GeoDataFrame) and gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(run.results)
    merged = gdf.merge(run.results, on="code", suffixes=("", "_csv"))
    assert (merged["total"] == merged["total_csv"]).all()
    kb = gdf.set_index("code").loc[KB]
    assert kb["winner"] == "lab" or kb["winner"] in {"con", "lab"}
    # The seats with their results go back in as units: every vote placed again.
    again = notional.apportion(gdf[gdf["total"] > 0], SEATS, parties=["con", "lab", "ld", "brx", "green", "oth"], electorate="electorate")
    assert again.results["total"].sum() == run.results["total"].sum()


def test_bad_inputs_raise_input_error_naming_the_place(tmp_path):
    wards = geopandas.read_file(WARDS)
    broken = wards.copy()
    broken["lab"] = broken["lab"].astype(float)
    broken.loc[3, "lab"] = 12.5
    with pytest.raises(notional.InputError, match=r"units: row 3 \(id E\d+\), column `lab`: 12.5 is not a count"):
        notional.apportion(broken, SEATS)
    with pytest.raises(notional.InputError, match="no column `ward_code`"):
        notional.apportion(wards, SEATS, from_id="ward_code")
    missing = tmp_path / "nowhere.geojson"
    with pytest.raises(notional.InputError, match="nowhere.geojson"):
        notional.apportion(missing, SEATS)
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Point","coordinates":[0,0]}}]}')
    with pytest.raises(ValueError, match="bad.geojson"):
        notional.apportion(bad, SEATS)
    lines = wards.copy()
    lines.loc[0, "geometry"] = shapely.LineString([(0, 0), (1, 1)])
    with pytest.raises(notional.InputError, match="row 0 .*LineString is not a Polygon"):
        notional.apportion(lines, SEATS)


def test_check_and_write(tmp_path):
    report = notional.check(WARDS, SEATS)
    assert report["layers"][0]["crs"].startswith("WGS84")
    files = notional.apportion(WARDS, SEATS).write(tmp_path / "out", title="London")
    names = sorted(Path(f).name for f in files)
    assert names == ["crosswalk.csv", "ledger.csv", "map.html", "map.svg", "results.csv", "results.geojson"]
    assert "<title>London</title>" in (tmp_path / "out" / "map.html").read_text()


def test_recompute_from_a_dict_recipe_reproduces_the_old_seats_route(tmp_path):
    recipe = {
        "old": {"seats": "derived/pcon2010_bgc.geojson", "results": "results_ge2019/HoC-GE2019-results-by-constituency.csv"},
        "new": {"seats": "derived/pcon2024_bgc.geojson"},
    }
    rec = notional.recompute(recipe, data=DATA)
    assert rec.route == "old seats by area"
    assert len(rec.results) == 650
    assert rec.results["total"].sum() == 32_014_110
    assert set(rec.composition.columns) >= {"new_code", "old_code", "share_of_new"}
    with pytest.raises(notional.InputError, match="unknown field `seat`"):
        notional.recompute({"old": {"seat": "x"}, "new": {"seats": "y"}}, data=DATA)


def test_the_gil_is_released_while_rust_computes():
    import threading
    import time

    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    notional.apportion(DERIVED / "england_wards_2013.geojson", SEATS)
    took = time.perf_counter() - start
    stop.set()
    t.join()
    during = [x for x in ticks if start <= x <= start + took]
    # With the GIL held for the whole run the ticker could not run at all.
    assert len(during) > took / 0.01, f"{len(during)} ticks in {took:.2f} s"


def test_help_teaches():
    doc = notional.apportion.__doc__
    assert "GeoDataFrame" in doc and "InputError" in doc and "Example" in doc
    assert issubclass(notional.InputError, ValueError)
