#!/usr/bin/env bash
# Render every tree of every example into examples/gallery/ (run after changing examples).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
rm -f examples/gallery/*.svg
for spec in examples/*.dtree; do
    base=$(basename "$spec" .dtree)
    for tree in $("$python" -c "import sys, decisiontrees as dt; print(' '.join(dt.load(sys.argv[1]).trees))" "$spec"); do
        "$python" -m decisiontrees render "$spec" "$tree" -o "examples/gallery/$base-$tree.svg" >/dev/null
    done
done
ls examples/gallery | wc -l
