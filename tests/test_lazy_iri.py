"""tools/lazy_iri.py: jsonschema checks IRIs as before, but rfc3987_syntax loads only when used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IRIS = ["http://例え.jp/パス?q=1#frag", "https://example.com/a b", "not an iri", "mailto:x@y.org"]
PROBE = f"""
import sys
{{setup}}
import jsonschema
loaded_early = "rfc3987_syntax.syntax_helpers" in sys.modules
checker = jsonschema.FormatChecker()
kinds = ("iri", "iri-reference")
verdicts = [checker.conforms(value, kind) for value in {IRIS!r} for kind in kinds]
print(loaded_early, verdicts, "rfc3987_syntax.syntax_helpers" in sys.modules)
"""


def probe(setup: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    return completed.stdout.strip()


def test_iris_are_judged_as_without_it_and_the_parsers_load_only_when_used() -> None:
    lazy = probe("import tools.lazy_iri")
    real = probe("")
    assert lazy.startswith("False ") and lazy.endswith(" True"), lazy  # loaded on first use
    assert real.startswith("True "), real  # what it spares: the import of jsonschema loads it
    verdicts = real.split(" ", 1)[1].rsplit(" ", 1)[0]
    assert lazy.split(" ", 1)[1].rsplit(" ", 1)[0] == verdicts
    assert "True" in verdicts and "False" in verdicts  # both kinds of answer were compared


def test_this_pytest_loaded_it_before_nbval() -> None:
    # install() steps aside when rfc3987_syntax is imported already: had nbval (which imports
    # nbformat, hence jsonschema) come first, the real module would be here.
    assert "tools/lazy_iri.py" in (sys.modules["rfc3987_syntax"].__doc__ or "")
