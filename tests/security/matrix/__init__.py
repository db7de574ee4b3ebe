"""The access matrix, one module of rows per area; every module's ROWS are merged here.

An area adds its routes in a module of its own (``members.py``, …) and imports it below.
"""
import importlib
import pkgutil

from tests.security.matrix.common import PERSONAS  # noqa: F401

MATRIX: dict = {}
for _info in pkgutil.iter_modules(__path__):
    if _info.name == "common":
        continue
    _rows = importlib.import_module(f"{__name__}.{_info.name}").ROWS
    _overlap = MATRIX.keys() & _rows.keys()
    assert not _overlap, f"endpoints declared twice in the access matrix: {_overlap}"
    MATRIX.update(_rows)
