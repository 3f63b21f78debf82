"""Draw the pictures of the docs (docs/images/) from the quarterly example.

``python docs/gen_images.py`` solves ``data/examples/quarterly.yaml`` (10 s), writes its report
into a temporary folder, copies the charts here and, when Chromium is installed, screenshots
the top of ``report.html`` as ``report.png``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
IMAGES = HERE / "images"
CHARTS = ("load", "calendar", "coverage", "fairness_over_time")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from optimizer import load_scenario, solve
    from optimizer.report import write_report

    res = solve(load_scenario(ROOT / "data" / "examples" / "quarterly.yaml"), time_limit=10)
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_report(res.schedule, tmp, result=res)
        for name in CHARTS:
            shutil.copyfile(files.png[name], IMAGES / f"{name}.png")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium:
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--screenshot={IMAGES / 'report.png'}", "--window-size=1300,1500", files.html.as_uri()],
                check=True, capture_output=True, timeout=120,
            )
    print(f"wrote {', '.join(sorted(p.name for p in IMAGES.glob('*.png')))} in {IMAGES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
