"""Type hints of the compiled module (the Python API is in ``notional``)."""

from typing import Any, Optional, Sequence, Union

__version__: str

class InputError(ValueError):
    """Bad input: the message names the file (or frame), the feature or row, and the field."""

class Apportionment:
    def results_csv(self) -> bytes: ...
    def crosswalk_csv(self) -> bytes: ...
    def ledger_csv(self) -> bytes: ...
    def results_geojson(self) -> bytes: ...
    def summary(self) -> str: ...
    def check(self, sliver: float = 0.001) -> str: ...
    def write(self, dir: str, hexjson: Optional[str] = None, title: Optional[str] = None, attribution: Optional[str] = None, gpkg: bool = False) -> list[str]: ...

class Recomputation:
    route: str
    notes: list[str]
    def write(self, dir: str, hexjson: Optional[str] = None, title: Optional[str] = None, attribution: Optional[str] = None, gpkg: bool = False) -> list[str]: ...

Layer = Union[str, dict[str, Any]]

def apportion(
    units: Layer,
    targets: Layer,
    votes: Optional[str] = None,
    from_id: str = "code",
    to_id: str = "code",
    to_name: str = "name",
    votes_id: Optional[str] = None,
    parties: Optional[Sequence[str]] = None,
    method_name: str = "area",
    title: Optional[str] = None,
) -> Apportionment: ...
def recompute(
    recipe_path: Optional[str] = None,
    recipe_json: Optional[str] = None,
    data: Optional[str] = None,
    ensemble: Optional[int] = None,
    seed: int = 1,
) -> Recomputation: ...
def map(dir: str, hexjson: Optional[str] = None, old_seats: Optional[str] = None, title: Optional[str] = None, attribution: Optional[str] = None) -> list[str]: ...
def demo() -> Apportionment: ...
