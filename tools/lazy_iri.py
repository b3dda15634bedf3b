"""Put off the one slow import of the test tools (a pytest plugin, loaded before the others).

nbformat, and so nbval, nbclient and nbconvert, imports jsonschema, which imports
``rfc3987_syntax`` when it is installed (it is: jupyter-events asks for
``jsonschema[format-nongpl]``). That module compiles some 35 Earley parsers as it is imported:
a second of CPU in every process that imports nbformat, and ``make test`` starts some thirty
such pytest processes, not one of which checks an "iri" format. (Known upstream:
python-jsonschema/jsonschema#1428.)

Loaded with ``-p tools.lazy_iri`` (pyproject.toml's ``addopts``), before pytest loads nbval,
this plugin puts a stand-in for ``rfc3987_syntax`` in ``sys.modules``: the real package's
folder, without running its ``__init__``, and an ``is_valid_syntax`` that imports the real
``rfc3987_syntax.syntax_helpers`` on its first call. jsonschema still checks "iri" and
"iri-reference" exactly as before (tests/test_lazy_iri.py); it only pays when it does.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "rfc3987_syntax"


def _is_valid_syntax(term: str, value: str) -> bool:
    """The real ``rfc3987_syntax.is_valid_syntax``, imported on first use."""
    real = importlib.import_module(f"{NAME}.syntax_helpers")
    stand_in = sys.modules.get(NAME)
    if stand_in is not None:
        stand_in.is_valid_syntax = real.is_valid_syntax
    return real.is_valid_syntax(term, value)


def install() -> bool:
    """Put the stand-in in place; False if the real module is imported already or absent."""
    if NAME in sys.modules:
        return False
    spec = importlib.util.find_spec(NAME)
    if spec is None or spec.submodule_search_locations is None:
        return False
    stand_in = types.ModuleType(NAME, "rfc3987_syntax, imported on first use (tools/lazy_iri.py)")
    stand_in.__path__ = list(spec.submodule_search_locations)
    stand_in.__spec__ = spec
    stand_in.is_valid_syntax = _is_valid_syntax
    sys.modules[NAME] = stand_in
    return True


install()
