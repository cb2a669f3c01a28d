#!/usr/bin/env bash
# Renders the HTML report of the README's demo to docs/img/report.png, without a browser:
# WeasyPrint (PyPI) prints the page to PDF, pdftoppm (Debian's poppler-utils) turns its
# first page into PNG. WeasyPrint lays out most of the report's CSS; the bars of the
# charts come out black where a browser draws them in colour. Run by hand after a change
# to the HTML report or the demo:
#
#   scripts/report_picture.sh [VENV_DIR]      default VENV_DIR: target/picture-venv
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-target/picture-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import weasyprint" 2> /dev/null || "$venv/bin/pip" install -q weasyprint
command -v pdftoppm > /dev/null || { echo "pdftoppm missing: apt-get install poppler-utils" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --quiet --locked -- check demo/snapshot.json --exit-zero -f "html:$work/report.html" -f "json:$work/report.json"
"$venv/bin/python" - "$work" << 'PY'
import sys
import weasyprint
work = sys.argv[1]
page = weasyprint.CSS(string="@page { size: 1200px 1500px; margin: 0 }")
weasyprint.HTML(f"{work}/report.html").write_pdf(f"{work}/report.pdf", stylesheets=[page])
PY
pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$work/report.pdf" docs/img/report
echo "wrote docs/img/report.png"
