"""Fuzzed inputs in the four formats the tool reads: spec files, JSON specs, Gambit .efg and
SilverDecisions files. Shared by tests/test_fuzz.py (a bounded run) and scripts/fuzz.py
(the large run recorded in docs/reliability.md).

Inputs are mutations of real files: byte-level edits with pieces that have broken the tool
before (huge numbers, odd line breaks, includes of devices), and for JSON, values replaced by
hostile ones at random places in the document.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path

from paths import EXAMPLES, ROOT

from decisiontrees import load
from decisiontrees.formats.gambit import to_efg
from decisiontrees.formats.json_spec import export
from decisiontrees.model.nodes import is_symbolic

INTEROP = ROOT.parent / "shared" / "interop"

PIECES = ["{", "}", "(", ")", ",", ":", "=", "==", "/", "-", "*", "#", '"', "\n", " ", "0", "1/2",
          "1.5.", "choice", "chance", "uniform", "tree", "claim", "query", "not", "p", "a", "x y",
          "\xff", "\t", "include", "param", "in", "[", "]", "{}", "ö", "\x00", "\r", "\x0c",
          "\u2028", "1e999999999", "9" * 5000, "0." + "0" * 5000 + "1", 'include "/dev/zero"',
          'include "../../x.dtree"', "timeout = 0", "samples = 1000000000000", "^", "e5",
          "limit = 1000000000", "\n" + "tree z = chance { 1/2: z, 1/2: z }\n"]
HOSTILE_VALUES = [2, -1, 0, "", "x", [], {}, None, True, 1e308, "1e999999999", "9" * 5000,
                  "1 } include \"/dev/zero\" #", "a\ninclude \"/etc/passwd\" #", "NaN", "10^10^10",
                  "exp(10^9)", "#", "\u2028", [[[[[[[[[[]]]]]]]]]], {"nodes": []}, "1/0"]


def seeds() -> dict[str, list[tuple[str, str]]]:
    """Real files per format: (file name, text)."""
    specs = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.dtree"))]
    loaded = [(p, load(str(p))) for p in sorted(EXAMPLES.glob("*.dtree"))]
    json_specs = [(p.stem + ".json", json.dumps(export(spec), indent=1)) for p, spec in loaded]
    efgs = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((INTEROP / "gambit").glob("*.efg"))]
    efgs += [(f"{p.stem}-{name}.efg", to_efg(tree, name)) for p, spec in loaded
             for name, tree in list(spec.trees.items())[:2] if not is_symbolic(tree)]
    silver = [(p.name, p.read_text(encoding="utf-8"))
              for p in sorted((INTEROP / "silverdecisions").glob("*.json"))]
    return {"dtree": specs, "json": json_specs, "efg": efgs, "silverdecisions": silver}


def mutate_text(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["truncate", "delete", "insert", "duplicate", "insert"])
        a = rng.randint(0, len(text))
        b = rng.randint(a, min(len(text), a + 40))
        if kind == "truncate":
            text = text[:a]
        elif kind == "delete":
            text = text[:a] + text[b:]
        elif kind == "insert":
            text = text[:a] + rng.choice(PIECES) + text[a:]
        else:
            text = text[:b] + text[a:b] + text[b:]
    return text


def mutate_json(text: str, rng: random.Random) -> str:
    """A value somewhere in the document replaced by a hostile one (or a text mutation)."""
    try:
        document = json.loads(text)
    except ValueError:
        return mutate_text(text, rng)
    document = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        places = list(_places(document))
        if not places:
            break
        container, key = rng.choice(places)
        container[key] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
    dumped = json.dumps(document, allow_nan=True)
    return mutate_text(dumped, rng) if rng.random() < 0.2 else dumped


def _places(value: object) -> Iterator[tuple[dict | list, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield value, key
            yield from _places(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value, index
            yield from _places(item)


def cases(count: int, seed: int = 0) -> Iterator[tuple[str, str, bytes]]:
    """``count`` fuzzed files, round-robin over the formats: (format, file name, bytes)."""
    rng = random.Random(seed)
    pools = seeds()
    formats = [f for f in pools if pools[f]]
    for n in range(count):
        fmt = formats[n % len(formats)]
        name, text = rng.choice(pools[fmt])
        mutated = mutate_json(text, rng) if name.endswith(".json") else mutate_text(text, rng)
        yield fmt, name, mutated.encode("utf-8", errors="surrogateescape")


def write_case(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path
