"""The dossier's vocabulary: checked at its own lines, and owned by the dossier, not the engine.

The second half builds a dossier on another subject (a made-up merger review in
tests/fixtures/merger/) whose types, relations, states and wording live only in its
vocabulary.yaml, and reads its pages, graph and exports in its own words.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
import yaml
from conftest import MERGER_TYPE_PLURALS, MINI, ROOT, write_record

from generator import jsonschema
from generator.build import SiteBuild
from generator.outputs.data_files import build_data_files
from generator.outputs.graph import GRAPH_PATH
from generator.pipeline import load_dossier
from generator.problems import DossierError
from generator.scaffold import skeleton_text
from generator.vocabulary import DEFAULT_PATH, load_vocabulary

MERGER = Path(__file__).resolve().parent / "fixtures" / "merger"
HEADER = "# yaml-language-server: $schema=../../schema/record.schema.json\n"


def _errors(content: Path) -> list[str]:
    with pytest.raises(DossierError) as caught:
        load_dossier(content)
    return [p.format() for p in caught.value.problems if p.severity.value == "error"]


@pytest.fixture
def merger_content(tmp_path, monkeypatch) -> Path:
    """A writable copy of the merger dossier, with messages relative to its project folder."""
    content = tmp_path / "content"
    shutil.copytree(MERGER, content)
    monkeypatch.chdir(tmp_path)
    return Path("content")


def _line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line == text)


VOCABULARY_CASES = {
    "unknown_group": (
        "extends: default\nentity_types:\n  regulator:\n    label: Regulator\n    plural: Regulators\n"
        "    groups: [actors]\n",
        [
            "content/vocabulary.yaml:6:14: error[unknown-group]: entity type 'regulator': no group 'actors'\n"
            "    hint: did you mean 'actor'?"
        ],
    ),
    "relation_without_inverse": (
        "extends: default\nrelation_types:\n  sued:\n    label: sued\n    from: [actor]\n",
        [
            "content/vocabulary.yaml:3:3: error[missing-inverse]: relation type 'sued' has no inverse label\n"
            "    hint: add 'inverse:' (how it reads on the target's page, as 'owned by' for 'owns'), "
            "or 'symmetric: true'"
        ],
    ),
    "colour_that_is_not_a_colour": (
        "extends: default\nentity_types:\n  company:\n    colour: bluish\n",
        [
            "content/vocabulary.yaml:4:13: error[bad-colour]: entity type 'company': 'bluish' is not a colour\n"
            "    hint: write a hex colour in quotes, such as '#1e88e5' or '#18e'"
        ],
    ),
    "type_declared_twice": (
        "extends: default\nentity_types:\n  regulator:\n    label: Regulator\n    plural: Regulators\n"
        "  regulator:\n    label: Authority\n    plural: Authorities\n",
        [
            "content/vocabulary.yaml:6:3: error[duplicate-key]: duplicate key 'regulator' (first given on line 3)\n"
            "    hint: keep one of them; YAML would silently drop the other"
        ],
    ),
    "type_named_like_a_group": (
        "extends: default\nentity_types:\n  actor:\n    label: Actor\n    plural: Actors\n",
        [
            "content/vocabulary.yaml:3:3: error[duplicate-type]: 'actor' is both an entity type and a group\n"
            "    hint: rename one: relations and event fields name types and groups alike"
        ],
    ),
    "relation_end_that_does_not_exist": (
        "extends: default\nrelation_types:\n  sued:\n    label: sued\n    inverse: sued by\n    to: [regulatr]\n",
        [
            "content/vocabulary.yaml:6:10: error[unknown-type]: relation type 'sued': no entity type or group "
            "'regulatr'\n    hint: declare it or remove it"
        ],
    ),
    "unknown_ftm_schema": (
        "extends: default\nentity_types:\n  company:\n    ftm: Compnay\n",
        [
            "content/vocabulary.yaml:4:10: error[unknown-ftm-schema]: entity type 'company': FollowTheMoney has no "
            "schema 'Compnay'\n    hint: did you mean 'Company'?"
        ],
    ),
    "misspelt_section": (
        "extends: default\nentity_type:\n  regulator:\n    label: Regulator\n",
        [
            "content/vocabulary.yaml:2:1: error[unknown-field]: unknown vocabulary section 'entity_type'\n"
            "    hint: did you mean 'entity_types'?"
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(VOCABULARY_CASES))
def test_vocabulary_error_is_reported_at_its_line_and_column(name, tmp_path, monkeypatch):
    text, expected = VOCABULARY_CASES[name]
    content = tmp_path / "content"
    content.mkdir()
    (content / "vocabulary.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _errors(Path("content")) == expected


def test_all_vocabulary_errors_come_in_one_run(tmp_path, monkeypatch):
    content = tmp_path / "content"
    content.mkdir()
    text = VOCABULARY_CASES["unknown_group"][0] + "    colour: red\nrelation_types:\n  sued:\n    label: sued\n"
    (content / "vocabulary.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [line.split(": error")[0] for line in _errors(Path("content"))] == [
        "content/vocabulary.yaml:6:14",
        "content/vocabulary.yaml:7:13",
        "content/vocabulary.yaml:9:3",
    ]


def test_removing_a_type_that_records_use_is_an_error_at_the_removal(merger_content):
    vocabulary = merger_content / "vocabulary.yaml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8")
        .replace("entity_types: [legal-instrument]", "entity_types: [legal-instrument, court]")
        .replace("regulator, court, deal", "regulator, deal"),
        encoding="utf-8",
    )
    line = _line_of(vocabulary, "  entity_types: [legal-instrument, court]")
    assert _errors(merger_content) == [
        "content/entities/eastland-district-court.yaml:2:7: error[unknown-value]: type: 'court' is removed from the "
        f"vocabulary at content/vocabulary.yaml:{line}:36\n    hint: choose another, or keep it in the vocabulary",
        f"content/vocabulary.yaml:{line}:36: error[removed-in-use]: entity type 'court' is removed, but 1 record "
        "still uses it: content/entities/eastland-district-court.yaml:2:7\n"
        "    hint: change those records first, or keep the type",
    ]


def test_record_error_from_a_relation_names_the_vocabulary_line_that_defines_it(merger_content):
    write_record(
        merger_content,
        "entities",
        "contoso",
        (merger_content / "entities" / "contoso.yaml").read_text(encoding="utf-8")
        + "  - type: reviews\n    target: contoso-fabrikam-deal\n"
        "    sources: [eastland-gazette-2023-10]\n",
    )
    line = _line_of(merger_content / "vocabulary.yaml", "  reviews:")
    assert _errors(merger_content) == [
        "content/entities/contoso.yaml:12:11: error[wrong-relationship]: relationships[2]: a company cannot "
        f"'reviews'\n    hint: 'reviews' (defined at content/vocabulary.yaml:{line}:3) starts from regulator; "
        "choose another relation type"
    ]


def test_wrong_type_of_place_names_the_vocabulary_line_that_allows_places(merger_content):
    event = merger_content / "events" / "2022-12-authority-sues.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("place: eastland", "place: contoso"), encoding="utf-8")
    line = _line_of(merger_content / "vocabulary.yaml", "  place: [place]")
    assert _errors(merger_content) == [
        "content/events/2022-12-authority-sues.yaml:10:8: error[wrong-type]: place: 'contoso' is a company, but a "
        "place is expected\n    hint: point at an entity of the right type, or change the field (events.place is "
        f"declared at content/vocabulary.yaml:{line}:10)"
    ]


def test_skeleton_examples_are_the_dossiers_own_ids(merger_content):
    run = subprocess.run(
        [sys.executable, "-m", "generator", "new", "event", "2024-01-appeal", "--content", str(merger_content)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    text = (merger_content / "events" / "2024-01-appeal.yaml").read_text(encoding="utf-8")
    assert (
        "#   list of citation: source-id or source-id#excerpt-id, at least 1, e.g. [authority-complaint-2022]" in text
    )
    assert "#   list of id of an entity (deal or case), e.g. [first-id, second-id]" in text


def test_one_bad_type_gives_one_error_not_one_per_referrer(merger_content):
    eastland = merger_content / "entities" / "eastland.yaml"
    eastland.write_text(eastland.read_text(encoding="utf-8").replace("type: place", "type: plac"), encoding="utf-8")
    # three entities are located in it and two events take place there: none of them gets an error
    assert _errors(merger_content) == [
        "content/entities/eastland.yaml:2:7: error[unknown-value]: type: 'plac' is not allowed\n"
        "    hint: did you mean 'place'?"
    ]


def test_lifecycle_on_a_type_without_one_is_an_error(merger_content):
    contoso = merger_content / "entities" / "contoso.yaml"
    contoso.write_text(
        contoso.read_text(encoding="utf-8") + "lifecycle:\n  - state: announced\n    date: '2022'\n"
        "    sources: [eastland-gazette-2023-10]\n",
        encoding="utf-8",
    )
    assert _errors(merger_content) == [
        "content/entities/contoso.yaml:12:1: error[no-lifecycle]: lifecycle: a company has no lifecycle in the "
        f"vocabulary ('company' is defined at generator/vocabulary/default.yaml:{_line_of(DEFAULT_PATH, '  company:')}"
        ":3)\n    hint: remove the lifecycle, or give the type 'lifecycle: true' in the dossier's vocabulary"
    ]


def test_an_unknown_word_lists_the_dossiers_own_words(merger_content):
    source = merger_content / "sources" / "authority-complaint-2022.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("kind: court-filing", "kind: lawsuit"), encoding="utf-8"
    )
    [error] = _errors(merger_content)
    assert error.startswith(
        "content/sources/authority-complaint-2022.yaml:3:7: error[unknown-value]: "
        "kind: 'lawsuit' is not allowed\n    hint: one of: news-article, report, "
    )
    assert error.endswith(", court-filing (the words of content/vocabulary.yaml)")


# A second dossier on another subject, in its own words.


@pytest.fixture(scope="module")
def merger_pages() -> dict[str, str]:
    return SiteBuild(load_dossier(MERGER).dossier).render_all()


def test_merger_dossier_checks_without_errors_or_warnings():
    result = load_dossier(MERGER)
    assert [w.format() for w in result.warnings] == []
    assert [t.name for t in result.vocabulary.entity_types][:6] == [
        "company",
        "regulator",
        "court",
        "deal",
        "game",
        "place",
    ]
    assert "legal-instrument" not in result.vocabulary.entity_types_by_name


def test_merger_inverse_relations_read_in_its_own_words(merger_pages):
    contoso = merger_pages["entities/contoso.md"]
    # the lists are HTML blocks: the built pages' addresses
    assert '**Sued by** ←\n\n<ul>\n<li><a href="../competition-authority/" title=' in contoso
    assert "**Acquires** →" in contoso
    fabrikam = merger_pages["entities/fabrikam-games.md"]
    assert '**To be acquired by** ←\n\n<ul>\n<li><a href="../contoso/" title=' in fabrikam
    deal = merger_pages["entities/contoso-fabrikam-deal.md"]
    assert '**Reviewed by** ←\n\n<ul>\n<li><a href="../competition-authority/" title=' in deal
    assert "Regulated by" not in "".join(merger_pages.values())


def test_merger_lifecycle_is_the_deals_dated_stages(merger_pages):
    deal = merger_pages["entities/contoso-fabrikam-deal.md"]
    assert "## Stages of the deal\n\nEach stage lasts from its date until the next one" in deal
    assert "| March 2022 | **Under review** | 8 December 2022 (challenged) |" in deal
    assert "| 13 October 2023 | **Closed** | latest stage |" in deal
    assert "### Steps in this deal { data-search-exclude }" in deal
    ruling = merger_pages["events/2023-07-court-refuses-to-halt-deal.md"]
    assert "## Where the deal stood\n\n- [Contoso–Fabrikam merger](../entities/contoso-fabrikam-deal.md" in ruling
    assert ": cleared (July 2023)" in ruling
    assert "| Concerns | [Contoso–Fabrikam merger]" in ruling
    assert "rules" not in ruling.lower().replace("ruling", "")


def test_merger_timeline_filters_and_home_use_its_types(merger_pages):
    timeline = merger_pages["timeline.md"]
    assert '<option value="regulator">Regulator</option>' in timeline
    assert '<option value="deal">Deal</option>' in timeline
    assert '<strong class="dossier-date">8 December 2022</strong>: <a href="../events/' in timeline
    assert ">The authority sues to block the deal</a>" in timeline
    assert "[Regulators](types/regulator.md) | 1 |" in merger_pages["index.md"]
    assert "[Games](types/game.md)" in merger_pages["index.md"]


def test_merger_graph_legend_and_colours_come_from_its_vocabulary(merger_pages):
    graph = json.loads(merger_pages[GRAPH_PATH])
    types = {t["name"]: t for t in graph["types"]}
    assert types["regulator"] == {
        "name": "regulator",
        "label": "Regulator",
        "plural": "Regulators",
        "colour": "#2e7d32",
    }
    assert types["deal"]["plural"] == "Deals" and types["deal"]["colour"] == "#ff6f00"
    assert {
        "source": "competition-authority",
        "target": "contoso",
        "type": "sued",
        "label": "sued",
        "since": "2022-12-08",
        "until": None,
    } in graph["edges"]
    script = (ROOT / "theme" / "assets" / "dossier-graph.js").read_text(encoding="utf-8")
    assert "coloursOf(graph.types)" in script and '"company"' not in script


def test_merger_exports_map_its_types_to_followthemoney():
    dossier = load_dossier(MERGER).dossier
    files, _downloads = build_data_files(dossier)
    entities = [json.loads(line) for line in files["data/entities.ftm.json"].splitlines()]
    by_id = {e["id"]: e for e in entities}
    assert by_id["dossier-entity-competition-authority"]["schema"] == "PublicBody"
    assert by_id["dossier-entity-contoso-fabrikam-deal"]["schema"] == "Contract"
    assert by_id["dossier-entity-fabrikam-quest"]["schema"] == "Asset"
    sued = by_id["dossier-link-competition-authority.sued.contoso"]
    assert sued["schema"] == "UnknownLink" and sued["properties"]["role"] == ["sued"]
    acquires = by_id["dossier-link-contoso.acquires.fabrikam-games"]
    assert acquires["schema"] == "Ownership"
    assert acquires["properties"]["owner"] == ["dossier-entity-contoso"]
    relation_types = json.loads(files["data/dossier.json"])["relation_types"]
    assert {"type": "sued", "label": "sued", "inverse_label": "sued by"} in relation_types


def test_merger_schema_reference_and_skeletons_use_its_words(merger_pages):
    vocabulary = load_vocabulary(MERGER)
    document = jsonschema.build_json_schema(vocabulary)
    entity_type_enum = document["$defs"]["entity"]["properties"]["type"]["enum"]
    assert {"regulator", "deal", "game", "court"} <= set(entity_type_enum)
    assert "legal-instrument" not in entity_type_enum
    assert merger_pages[jsonschema.SITE_PATH] == jsonschema.json_schema_text(vocabulary)
    entity_schema = json.loads(merger_pages["schema/entity.schema.json"])  # the kind's own schema, served too
    assert entity_schema["properties"]["type"]["enum"] == entity_type_enum
    assert "sued" in json.dumps(entity_schema["$defs"]["relationship"]["properties"]["type"])
    reference = merger_pages["reference/format.md"]
    assert "| `sued` | sued | sued by | actor | actor |" in reference
    assert "| `under-review` | A regulator examines it. |" in reference
    deal = skeleton_text("entity", "deal", vocabulary)
    assert "#     regulator: A competition authority or other body that reviews deals." in deal
    assert "# lifecycle (optional)" in deal and "under-review" in deal
    assert "# lifecycle" not in skeleton_text("entity", "company", vocabulary)


def test_new_record_in_the_merger_dossier_takes_its_types_and_its_own_example_id(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(MERGER, content)
    run = [sys.executable, "-m", "generator", "new", "entity", "--content", str(content)]
    created = subprocess.run([*run, "acme-regulator", "--type", "regulator"], capture_output=True, text=True, cwd=ROOT)
    assert created.returncode == 0, created.stderr
    refused = subprocess.run([*run, "Bad_Name", "--type", "regulatr"], capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 1
    assert "e.g. 'acme-regulator'" in refused.stderr  # the first of its own ids, not a fixed name


def test_merger_dossier_builds_strictly_with_mkdocs(merger_site):
    """merger_site: the session's shared strict build of the merger dossier (no warning, conftest.py)."""
    site = merger_site
    contoso = (site / "entities" / "contoso" / "index.html").read_text(encoding="utf-8")
    assert "Sued by" in contoso
    deal = (site / "entities" / "contoso-fabrikam-deal" / "index.html").read_text(encoding="utf-8")
    assert "Stages of the deal" in deal and "Under review" in deal
    graph = json.loads((site / "data" / "graph.json").read_text(encoding="utf-8"))
    assert [t["plural"] for t in graph["types"]] == MERGER_TYPE_PLURALS


def test_the_first_dossier_declares_its_own_types_in_its_vocabulary():
    own = yaml.safe_load((ROOT / "content" / "vocabulary.yaml").read_text(encoding="utf-8"))
    assert own["extends"] == "default"
    default = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert {"chip", "ai-model", "regulation", "method", "topic"} <= set(own["entity_types"]) - set(
        default["entity_types"]
    )
    mini = load_vocabulary(MINI)
    assert "chip" in mini.entity_types_by_name and "ai-model" not in mini.entity_types_by_name


def _first_dossier_names() -> set[str]:
    """The first dossier's own entity types and every record id: none may appear in the engine."""
    own = yaml.safe_load((ROOT / "content" / "vocabulary.yaml").read_text(encoding="utf-8"))
    default = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    names = set(own["entity_types"]) - set(default["entity_types"])
    names |= {
        path.stem for folder in ("entities", "events", "sources") for path in (ROOT / "content" / folder).glob("*.yaml")
    }
    # 'topic' is also the role an entity plays when an event lists it under the record field 'topics'
    # (the format's own word, like 'place'), so it is looked for only as a type: 'type: topic' or "topic" types.
    return names


def _engine_texts():
    """(file, line, text) of every string and comment of the engine's code, and every line of its templates,
    default vocabulary and theme (vendored libraries left out)."""
    files = [path for path in (ROOT / "generator").rglob("*") if path.suffix in (".py", ".j2", ".yaml")]
    files += [
        path
        for path in (ROOT / "theme").rglob("*")
        if path.is_file() and "vendor" not in path.parts and path.suffix in (".js", ".css", ".html")
    ]
    for path in sorted(files):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                if token.type in (tokenize.STRING, tokenize.COMMENT):
                    yield path, token.start[0], token.string
        else:
            for number, line in enumerate(text.splitlines(), 1):
                yield path, number, line


def test_nothing_in_the_engine_names_a_type_or_record_of_the_first_dossier():
    names = _first_dossier_names()
    role_words = {"topic"}  # see _first_dossier_names
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?![\w-])"
    )
    found = []
    for path, line, text in _engine_texts():
        for match in pattern.finditer(text):
            word = match.group(1)
            if word in role_words and not re.search(rf"type:\s*{word}\b|\"{word}\"\s*:", text):
                continue
            found.append(f"{path.relative_to(ROOT)}:{line}: {word}")
    assert not found, "the engine names the first dossier's types or records:\n" + "\n".join(found)
    assert {"chip", "ai-model", "regulation", "method", "alibaba", "deepseek-r1"} <= names  # the test looks


def test_a_changed_vocabulary_is_not_hidden_by_the_parse_cache(merger_content, tmp_path):
    cache = tmp_path / "cache"
    load_dossier(merger_content, cache)  # fills the cache
    vocabulary = merger_content / "vocabulary.yaml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8")
        .replace("  game:\n", "  video-game:\n")
        .replace("game, place]", "video-game, place]"),
        encoding="utf-8",
    )
    with pytest.raises(DossierError) as caught:
        load_dossier(merger_content, cache)
    assert [p.format().split("\n")[0] for p in caught.value.problems] == [
        "content/entities/fabrikam-quest.yaml:2:7: error[unknown-value]: type: 'game' is not allowed"
    ]


def test_states_in_force_come_from_the_vocabulary(tmp_path, monkeypatch):
    """The graph's as-of view counts a rule in force in the states the vocabulary flags ``in_force: true``."""
    real = load_vocabulary(ROOT / "content")
    assert real.in_force_states == ("effective", "amended", "expanded", "enforced")
    assert "suspended" in real.lifecycle_states and "suspended" not in real.in_force_states
    graph = json.loads(SiteBuild(load_dossier(MINI).dossier).render_all()[GRAPH_PATH])
    assert graph["inForce"] == ["effective", "amended"]  # the mini dossier keeps the default's
    content = tmp_path / "content"
    content.mkdir()
    (content / "vocabulary.yaml").write_text(
        "extends: default\nlifecycle_states:\n  effective: In force.\n  paused:\n    description: On hold.\n"
        "    in_force: false\n  applied:\n    description: Applied.\n    in_force: true\n",
        encoding="utf-8",
    )
    changed = load_vocabulary(content)
    assert changed.in_force_states == ("effective", "amended", "applied")  # a changed description keeps the flag
    assert changed.lifecycle_states["effective"] == "In force."
    (content / "vocabulary.yaml").write_text(
        "extends: default\nlifecycle_states:\n  applied:\n    description: Applied.\n    in_force: maybe\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert _errors(Path("content")) == [
        "content/vocabulary.yaml:5:15: error[wrong-type]: lifecycle_states.applied.in_force must be true or false\n"
        "    hint: write in_force: true"
    ]
