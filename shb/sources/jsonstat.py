"""Reading a JSON-stat 2.0 dataset (SCB's json-stat2 answer) into cells, checking its shape on the way.

`value` is row-major over `id`: the last dimension varies fastest. `status` maps a flat index to a symbol
(or is one symbol for all cells, or a list); SCB writes `..` for not available/suppressed and `.` for
not applicable. A dimension's `category.index` is either a list of codes or a code → position mapping.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

MAX_CELLS = 10_000_000  # a larger `size` is a broken or hostile answer, not data


class ShapeError(ValueError):
    """The answer is JSON but not a dataset of the expected shape; the message says what, in Swedish."""


@dataclass(frozen=True)
class Cell:
    codes: dict[str, str]  # dimension id → category code
    value: float | None
    status: str | None


@dataclass(frozen=True)
class Dataset:
    ids: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]  # dimension id → category codes in index order
    values: tuple[float | None, ...]
    status: dict[int, str]

    def cells(self) -> Iterator[Cell]:
        """Every cell in `value` order, with the category code of each dimension."""
        combos = itertools.product(*(self.categories[d] for d in self.ids))
        for i, combo in enumerate(combos):
            yield Cell(dict(zip(self.ids, combo)), self.values[i], self.status.get(i))


def parse(data: object) -> Dataset:
    """Check that `data` is a JSON-stat 2.0 dataset and return it; ShapeError naming the first problem."""
    if not isinstance(data, dict):
        raise ShapeError("svaret är inget JSON-objekt")
    if data.get("class", "dataset") != "dataset":
        raise ShapeError(f"class är {data.get('class')!r}, inte 'dataset'")
    ids, size, dims = data.get("id"), data.get("size"), data.get("dimension")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids) or len(set(ids)) < len(ids):
        raise ShapeError("'id' saknas eller är ingen lista av olika dimensionsnamn")
    if not isinstance(size, list) or len(size) != len(ids) or not all(_count(n) for n in size):
        raise ShapeError("'size' saknas eller passar inte 'id'")
    if not isinstance(dims, dict):
        raise ShapeError("'dimension' saknas")
    total = math.prod(size)
    if total > MAX_CELLS:
        raise ShapeError(f"datamängden säger sig ha {total} celler")
    categories = {d: _categories(d, dims.get(d), n) for d, n in zip(ids, size)}
    return Dataset(tuple(ids), categories, _values(data.get("value"), total), _status(data.get("status"), total))


def _count(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def dimension_codes(data: object, dim: str) -> tuple[str, ...]:
    """The category codes of one dimension (e.g. Tid in a table's metadata), in index order."""
    dims = data.get("dimension") if isinstance(data, dict) else None
    if not isinstance(dims, dict) or dim not in dims:
        raise ShapeError(f"dimensionen {dim!r} saknas")
    return _codes(dim, dims[dim])


def _categories(dim: str, raw: object, n: int) -> tuple[str, ...]:
    codes = _codes(dim, raw)
    if len(codes) != n:
        raise ShapeError(f"dimensionen {dim!r} har {len(codes)} kategorier men 'size' säger {n}")
    return codes


def _codes(dim: str, raw: object) -> tuple[str, ...]:
    category = raw.get("category") if isinstance(raw, dict) else None
    if not isinstance(category, dict):
        raise ShapeError(f"dimensionen {dim!r} saknar 'category'")
    index = category.get("index")
    if index is None and isinstance(category.get("label"), dict) and len(category["label"]) == 1:
        index = list(category["label"])  # a single category may be given by its label alone
    if isinstance(index, list):
        codes = index
    elif isinstance(index, dict) and all(_count(i) for i in index.values()) and sorted(index.values()) == list(
            range(len(index))):
        codes = sorted(index, key=index.__getitem__)
    else:
        raise ShapeError(f"dimensionen {dim!r} har ett ogiltigt 'category.index'")
    if not all(isinstance(c, str) for c in codes) or len(set(codes)) < len(codes):
        raise ShapeError(f"dimensionen {dim!r} har ogiltiga eller dubblerade koder")
    return tuple(codes)


def _number(v: object) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ShapeError(f"värdet {str(v)[:40]!r} är inget tal")
    return float(v)


def _values(raw: object, total: int) -> tuple[float | None, ...]:
    if isinstance(raw, list):
        if len(raw) != total:
            raise ShapeError(f"'value' har {len(raw)} värden men dimensionerna ger {total} celler")
        return tuple(_number(v) for v in raw)
    if isinstance(raw, dict):  # sparse: flat index → value
        values: list[float | None] = [None] * total
        for key, v in raw.items():
            i = _index(key, total, "value")
            values[i] = _number(v)
        return tuple(values)
    raise ShapeError("'value' saknas")


def _status(raw: object, total: int) -> dict[int, str]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        return dict.fromkeys(range(total), raw)
    if isinstance(raw, list):
        if len(raw) != total:
            raise ShapeError(f"'status' har {len(raw)} poster men dimensionerna ger {total} celler")
        return {i: s for i, s in enumerate(raw) if isinstance(s, str) and s}
    if isinstance(raw, dict):
        return {_index(k, total, "status"): s for k, s in raw.items() if isinstance(s, str) and s}
    raise ShapeError("'status' har okänd form")


def _index(key: object, total: int, name: str) -> int:
    try:
        i = int(key)
    except (TypeError, ValueError):
        raise ShapeError(f"'{name}' har nyckeln {str(key)[:20]!r}, som inte är ett index") from None
    if not 0 <= i < total:
        raise ShapeError(f"'{name}' har index {i} utanför 0–{total - 1}")
    return i
