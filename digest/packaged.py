"""Files shipped inside the package: the default templates and the checks' assets.

They are found through importlib.resources, so an installed `digest` (`pip install .`,
`pipx install .`) runs from any folder. `templates/` stays at the top of a source
checkout, where organisers copy it from; pyproject.toml maps it into the wheel as
`digest/templates/`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def asset(name: str) -> Path:
    """A file of digest/assets/: the caniemail script and the reviewed client baseline."""
    return Path(str(resources.files("digest") / "assets" / name))


def templates() -> Path:
    """The folder of the default templates: in the package when installed from a wheel,
    else the checkout's top-level templates/ (a source tree or an editable install)."""
    installed = resources.files("digest") / "templates"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "templates"
