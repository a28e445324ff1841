"""A non-editable install carries templates/, migrations/ and question_bank/ and finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_wheel_holds_the_content_folders_and_the_installed_package_finds_them(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist")], check=True)
    wheel = next((tmp_path / "dist").glob("quiz-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("quiz/_data/templates/base.html", "quiz/_data/migrations/env.py",
                     "quiz/_data/migrations/versions/0001_initial_schema.py",
                     "quiz/_data/question_bank/tracks.yaml", "quiz/_data/question_bank/general.yaml"):
        assert required in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True)
    probe = (
        "import quiz.paths as p, quiz.bank.load as l;"
        "print(p.PACKAGE_DIR); print(p.templates_dir()); print(p.migrations_dir()); print(p.question_bank_dir());"
        "print(len(l.load_bank(p.question_bank_dir()).questions))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, cwd=tmp_path).stdout.split()
    package_dir, templates, migrations, bank, count = out
    assert Path(package_dir) == target / "quiz"
    assert Path(templates) == target / "quiz/_data/templates"
    assert Path(migrations) == target / "quiz/_data/migrations"
    assert Path(bank) == target / "quiz/_data/question_bank"
    assert int(count) >= 40
