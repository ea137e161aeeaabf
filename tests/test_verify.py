"""`decisiontrees verify`: real certificates pass; every kind of corruption is caught."""

from __future__ import annotations

import copy
import json

import pytest
from paths import EXAMPLES

from decisiontrees.cli import main
from decisiontrees.evidence.verify import verify


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("certificates") / "all.json"
    assert main(["check", str(EXAMPLES), "--certificate", str(path)]) == 0
    return json.loads(path.read_text())


def test_saved_certificates_verify(saved, tmp_path, capsys):
    assert len(saved["certificates"]) >= 20
    kinds = {c.get("evidence", {}).get("kind") for c in saved["certificates"]}
    assert {"structural", "vertices", "interior"} <= kinds
    path = tmp_path / "c.json"
    path.write_text(json.dumps(saved))
    assert main(["verify", str(path)]) == 0
    assert capsys.readouterr().out == "VERIFIED\n"


def corrupt(document, kind, change):
    """The document with ``change`` applied to the first certificate of ``kind`` it applies to
    (for witnesses, one over the plain [0,1]^O class)."""
    for n, certificate in enumerate(document["certificates"]):
        evidence = certificate.get("evidence", {})
        fits = ("witness" in certificate and not certificate["class"]["constraints"]
                if kind == "witness" else evidence.get("kind") == kind)
        if not fits:
            continue
        broken = copy.deepcopy(document)
        try:
            change(broken["certificates"][n])
        except (AssertionError, IndexError):
            continue
        return broken
    raise AssertionError(f"no {kind} certificate the change applies to")


def _set_first_flow(c, value):
    for vertex in c["evidence"]["vertices"]:
        if vertex["flow"]:
            vertex["flow"][0][2] = value
            return
    raise AssertionError("no flow")


CORRUPTIONS = [
    ("vertices", lambda c: _set_first_flow(c, "2"), "does not match what it receives"),
    ("vertices", lambda c: c["evidence"]["vertices"].pop(), "no point given for the plan lottery"),
    ("vertices", lambda c: c["evidence"]["vertices"][0]["multipliers"].append("1"), "multipliers for"),
    ("structural", lambda c: c["evidence"]["steps"][-1].update(rule="nature"), "does not apply"),
    ("structural", lambda c: c["evidence"]["steps"].pop(0), "does not apply"),
    ("interior", lambda c: c["evidence"]["vertices"][0].update(epsilon="0"), "epsilon must be positive"),
    ("interior", lambda c: c["evidence"]["vertices"][0]["flows"].pop(), "one flow per outcome"),
    ("witness", lambda c: c["witness"]["utility"].update({k: "1/2" for k in c["witness"]["utility"]}),
     "not below"),
    ("witness", lambda c: c["witness"]["utility"].update({next(iter(c["witness"]["utility"])): "7"}),
     "not in the class"),
    ("witness", lambda c: c.update(surprise=1), "unknown field `surprise`"),
    ("structural", lambda c: c["right"]["nodes"].append({"leaf": 3}), "a leaf names an outcome"),
    ("structural", lambda c: c.update(holds="yes"), "`holds` must be true or false"),
]


@pytest.mark.parametrize("kind, change, message", CORRUPTIONS,
                         ids=[f"{k}-{m.split()[0]}" for k, _, m in CORRUPTIONS])
def test_corrupted_certificates_are_rejected(saved, kind, change, message):
    failure = verify(corrupt(saved, kind, change))
    assert failure is not None and message in failure, failure


def test_file_level_problems(saved, tmp_path, capsys):
    assert verify({**saved, "version": 2}) == "file: expected format decisiontrees-certificates version 1"
    assert "unknown field" in verify({**saved, "extra": True})
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.startswith("NOT VERIFIED: cannot read")
