"""Help > About: what the app is and the versions a bug report needs."""

from __future__ import annotations

import platform

APP_NAME = "Digit Canvas"


def versions() -> dict[str, str]:
    """The versions a bug report needs: the app, Python, Qt and the numeric libraries."""
    import PIL
    import PySide6
    from PySide6.QtCore import qVersion

    from model.store import library_versions

    found = library_versions()
    return {
        APP_NAME: found.get("digit-canvas", "unknown"),
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "NumPy": found.get("numpy", "?"),
        "scikit-learn": found.get("scikit-learn", "?"),
        "Pillow": PIL.__version__,
        "joblib": found.get("joblib", "?"),
    }


def about_text() -> str:
    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in versions().items())
    return (
        f"<h3>{APP_NAME}</h3>"
        "<p>Draw a digit and watch logistic-regression models trained on MNIST read it live.</p>"
        f"<table>{rows}</table>"
        f"<p>{platform.system()} {platform.release()}</p>"
    )
