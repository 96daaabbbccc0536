"""PySide6 reads the source of every module imported after it; this makes that read cheap.

PySide6 lets each module opt into ``from __feature__ import snake_case``, so after every import it
asks whether the new module mentions "PySide6" (``shibokensupport.feature._mod_uses_pyside``). It
answers with ``inspect.getsource``, which tokenises the whole file and keeps its lines in memory. The
window imports dozens of modules after Qt, so this cost start-up time.

:func:`install` answers the same question by searching the file's bytes. Modules without a ``.py``
file (built-in, compiled, zipped) still get PySide6's own answer. If a PySide6 release moves the
function, nothing is replaced and start-up is only a little slower.
"""

from __future__ import annotations

import sys
from types import ModuleType

SCANNER = "shibokensupport.feature"


def install() -> bool:
    """Replace PySide6's per-import source scan with a byte search; ``True`` if it was replaced now."""
    feature = sys.modules.get(SCANNER)
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or hasattr(original, "__wrapped__"):  # missing, or ours already
        return False

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    mod_uses_pyside.__wrapped__ = original  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[union-attr]
    return True
