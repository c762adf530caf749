"""The LA's deny-list: normalised, salted hashes that find listed identifiers without revealing them."""

from __future__ import annotations

import hashlib
import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.screening.denylist import DenyList, DenyListError, load_denylist, make_denylist, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Jane   SMITH ", "jane smith"), ("O'Brien-Hughes, Sarah.", "o'brien-hughes sarah"),
     ("Oakwood\tPrimary\nSchool!", "oakwood primary school"), ("O\u2019Neill", "o'neill"),
     ("(14) Elm Road; LS1 4AP", "14 elm road ls1 4ap"), ("...", "")],
)  # fmt: skip
def test_normalise_lowercases_drops_punctuation_but_apostrophes_and_hyphens_and_folds_space(
    raw: str, expected: str
) -> None:
    assert normalise(raw) == expected


def test_hash_is_sha256_of_salt_hex_then_normalised_identifier() -> None:
    made = make_denylist(["Jane Smith"], "00ff")
    assert made == {"salt": "00ff", "hashes": [hashlib.sha256(b"00ffjane smith").hexdigest()]}


def test_random_salt_is_sixteen_bytes_and_differs_each_time() -> None:
    first, second = make_denylist(["x"], None), make_denylist(["x"], None)
    assert len(bytes.fromhex(str(first["salt"]))) == 16
    assert first["salt"] != second["salt"] and first["hashes"] != second["hashes"]


@pytest.mark.parametrize("salt", ["xyz", "abc", "", "0g"])
def test_salt_that_is_not_whole_hex_bytes_is_refused(salt: str) -> None:
    with pytest.raises(DenyListError):
        make_denylist(["x"], salt)


def test_listed_identifiers_are_found_in_one_to_four_word_runs_whatever_their_punctuation() -> None:
    deny_list = make_denylist(
        ["Jane Smith", "Oakwood Primary School", "EHC-2024-0173", "Bartholomew"], "abcd"
    )
    deny = DenyList(str(deny_list["salt"]), list(deny_list["hashes"]))  # type: ignore[arg-type]
    text = "Mum (JANE  SMITH), of Oakwood Primary\nSchool; ref EHC-2024-0173. Bartholomew's brother."
    spans = [text[f.start : f.end] for f in deny.find(text)]
    assert spans == ["(JANE  SMITH),", "Oakwood Primary\nSchool;", "EHC-2024-0173.", "Bartholomew's"]
    assert all(f.kind == "denylisted" for f in deny.find(text))
    assert deny.find("Jane Smithson and Oakwood Primary Academy") == []


def test_load_denylist_reads_the_json_and_names_what_is_wrong(tmp_path) -> None:
    good = tmp_path / "deny.json"
    good.write_text(json.dumps(make_denylist(["Jane Smith"], "0a0b")))
    assert load_denylist(good).find("Dear Jane Smith")
    cases = {
        "missing.json": None,
        "notjson.json": "{salt",
        "list.json": "[]",
        "nosalt.json": json.dumps({"hashes": []}),
        "badsalt.json": json.dumps({"salt": "zz", "hashes": []}),
        "badhash.json": json.dumps({"salt": "00", "hashes": ["abc"]}),
        "hashesnotlist.json": json.dumps({"salt": "00", "hashes": "abc"}),
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content)
        with pytest.raises(DenyListError, match=name):
            load_denylist(path)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=40))
def test_normalise_removes_exactly_unicode_punctuation_and_symbols_except_apostrophes_and_hyphens(
    raw: str,
) -> None:
    folded = raw.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    folded = folded.replace("\u2010", "-").replace("\u2011", "-")
    kept = "".join(c for c in folded if c in "'-" or not unicodedata.category(c).startswith(("P", "S")))
    assert normalise(raw) == " ".join(kept.split())
