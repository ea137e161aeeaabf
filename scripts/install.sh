#!/usr/bin/env bash
# Create .venv and install decisiontrees into it (with --test, also the test tools).
# Needs only Python >= 3.11; on Debian it installs python3-venv when venv is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    echo "decisiontrees needs Python 3.11 or newer as '$python' (set PYTHON=...)" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$python" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            "$python" -m venv .venv
        else
            echo "cannot create a virtual environment: install python3-venv (Debian: apt-get install python3-venv)" >&2
            exit 2
        fi
    fi
fi
# Graphviz's dot renders diagrams (decisiontrees render); without it, .dot files are written.
if ! command -v dot >/dev/null; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null) \
            || echo "note: could not install Graphviz; render will write .dot files" >&2
    else
        echo "note: Graphviz's dot is missing; to render diagrams: apt-get install graphviz" >&2
    fi
fi
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q ".${extra}"
