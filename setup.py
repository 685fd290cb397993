"""Build hook: the report notebooks and templates live at the top of the repository
(notebooks/, templates/) and are copied into the wheel as tswt_formulation/_bundled, where
tswt_formulation.reports.resources finds them in an installed (non-editable) package.
Everything else is declared in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithReports(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads notebooks/ and templates/ in place
        here = Path(__file__).resolve().parent
        for name in ("notebooks", "templates"):
            target = Path(self.build_lib) / "tswt_formulation" / "_bundled" / name
            shutil.copytree(here / name, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithReports})
