"""`xml_to_json` against the original: xml2js@0.6.2's `parseString` under Node (`xml2js_oracle.py`).

Every XML file of `tests/fixtures/xml2js/` and every snippet below is converted by both, with
the default options, each option changed on its own and a few combinations; the results must be
the same JSON text (keys in the same order), or both must be errors. The differences on purpose
(a DOCTYPE, characters XML does not allow, a name with two colons, nesting deeper than
256) are checked as differences.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conformance.xml2js_oracle import Xml2JsOracle, start

from automations.components.xml2js import Xml2JsError, Xml2JsOptions, xml_to_json

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "xml2js"

OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"attrkey": "@"},
    {"charkey": "#text"},
    {"explicitCharkey": True},
    {"trim": True},
    {"normalize": True},
    {"normalizeTags": True},
    {"explicitRoot": False},
    {"emptyTag": None},
    {"emptyTag": "EMPTY"},
    {"emptyTag": {}},
    {"emptyTag": 0},
    {"explicitArray": False},
    {"ignoreAttrs": True},
    {"mergeAttrs": True},
    # combinations
    {"mergeAttrs": True, "explicitArray": False},
    {"trim": True, "normalize": True, "explicitCharkey": True},
    {"explicitArray": False, "explicitRoot": False, "emptyTag": None},
    {"ignoreAttrs": True, "mergeAttrs": True},
    {"normalizeTags": True, "mergeAttrs": True, "explicitArray": False, "trim": True},
    {"attrkey": "attrs", "charkey": "text", "explicitCharkey": True, "explicitArray": False},
]

# Corners of xml2js's (and sax's) reading, beside the corpus's whole documents.
SNIPPETS: list[str] = [
    "",
    "   \n ",
    "<!-- only a comment -->",
    '<?xml version="1.0"?>',
    "text",
    "<a/>junk",
    "<a/><b/>",
    "<a/><",
    "<a></b>",
    "<a>",
    "<a><b></a>",
    "<a x='1' x='2'/>",
    "<a>]]></a>",
    '<a x="<"/>',
    "<a>x\r\ny\rz</a>",
    "<a x='a\tb\nc\r\nd'/>",
    "<p:a/>",
    "<a p:x='1'/>",
    "<a><constructor>x</constructor><toString/><__proto__>p</__proto__></a>",
    "<a constructor='1' toString='2'/>",
    "<a>&nbsp;&NBSP;&Amp;&#X41;&#0066;</a>",
    "<a>&#0;</a>",
    "<a>&#xD800;</a>",
    "<a>&bogus;</a>",
    "<a>a & b</a>",
    "<a><![CDATA[ ]]></a>",
    "<a x='1'><![CDATA[]]></a>",
    "<a><![cdata[lower]]></a>",
    "<a>\n<![CDATA[]]>\n</a>",
    "<a><![CDATA[a]]]]><![CDATA[>b]]></a>",
    "<a><cdata>1</cdata><![CDATA[x]]></a>",
    "<a><![CDATA[x]]><cdata>1</cdata></a>",
    "<a _='1'/>",
    "<a _='1'>x</a>",
    "<a id='1'><id>2</id></a>",
    "<a><value>1</value></a>",
    "<a><value>1</value>\n</a>",
    "<a>\u00a0</a>",
    "<a>\ufeff</a>",
    "\ufeff<a/>",
    "\n  <?xml version='1.0'?><a/>",
    "<a>\u2028x\u3000</a>",
    "<a>  x  \n  y  </a>",
    "<a\n  x = \"1\"\n  y='2' />",
    "<!-- x --> y <a/>",
    "<a><b>1</b>x<b>2</b></a>",
    "<a><b xmlns:p='u'><p:c p:d='1'/></b><p:e/></a>",
    "<ДОК Атр='1'><Строка>я</Строка></ДОК>",
    "<?xml version='1.0' encoding='windows-1251'?><a>я</a>",
    "<![CDATA[x]]><a/>",
    "<?XML version='1.0'?><a/>",
    "<a><?xml version='1.0'?>t</a>",
    "<a/><!-- unclosed",
    "<!-- unclosed",
    "<a><a><a>1</a></a><a/></a>",
    "<a xmlns:p='u' p:x='1' y='2'/>",
    "<a v='" + "x" * 70000 + "'/>",
    "<a><!--" + "x" * 70000 + "--><![CDATA[" + "y" * 70000 + "]]>" + "z" * 70000 + "</a>",
    "<a>" + "<b>1</b>" * 5000 + "</a>",
    "<a>&#x10FFFF;&#x110000;</a>",
    "<a>&#xFFFE;</a>",
    "<a b='&#x20;x&#x20;' c='&#13;&#10;'>&#9;</a>",
    "<a>text<![CDATA[]]></a>",
    "<a>\u0085x\u200by\t \t</a>",
    "<a:b xmlns:a='u' a:c='1' c='2'/>",
    "<a\txmlns:p='u'\n/>",
    "<a v='\"' w=\"'\">'\"&lt;![CDATA[x]]&gt;</a>",
]


@pytest.fixture(scope="module")
def oracle() -> Iterator[Xml2JsOracle]:
    node = start()
    yield node
    node.close()


def _ours(xml: str, options: Mapping[str, Any]) -> tuple[str, str]:
    """(JSON text, "") or ("", error message)."""
    try:
        value = xml_to_json(xml, Xml2JsOptions(**options))
    except Xml2JsError as exc:
        return "", str(exc)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")), ""


def _differences(
    oracle: Xml2JsOracle, documents: Mapping[str, str], options: Mapping[str, Any]
) -> list[str]:
    names = list(documents)
    answers = oracle.convert_many((documents[name], options) for name in names)
    problems = []
    for name, theirs in zip(names, answers, strict=True):
        ours, error = _ours(documents[name], options)
        if theirs.error and error:
            continue
        # Re-written by Python so both texts escape characters the same way; order is kept.
        their_text = (
            ""
            if theirs.error
            else json.dumps(json.loads(theirs.text), ensure_ascii=False, separators=(",", ":"))
        )
        if ours != their_text:
            problems.append(
                f"{name} with {dict(options)}:\n  ours:   {ours or 'error ' + error}\n"
                f"  xml2js: {their_text or 'error ' + theirs.error}"
            )
    return problems


def _corpus() -> dict[str, str]:
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(CORPUS.glob("*.xml"))}


def test_the_corpus_covers_what_the_converter_meets() -> None:
    corpus = _corpus()
    assert len(corpus) >= 30
    assert any(name.startswith("bad_") for name in corpus)  # errors are compared too


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: json.dumps(o, sort_keys=True))
def test_corpus_converts_as_xml2js(oracle: Xml2JsOracle, options: dict[str, Any]) -> None:
    problems = _differences(oracle, _corpus(), options)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: json.dumps(o, sort_keys=True))
def test_snippets_convert_as_xml2js(oracle: Xml2JsOracle, options: dict[str, Any]) -> None:
    problems = _differences(oracle, {repr(s): s for s in SNIPPETS}, options)
    assert not problems, "\n".join(problems)


def test_both_agree_that_the_bad_files_are_bad(oracle: Xml2JsOracle) -> None:
    bad = {name: text for name, text in _corpus().items() if name.startswith("bad_")}
    answers = oracle.convert_many((text, {}) for text in bad.values())
    assert all(answer.error for answer in answers)
    for text in bad.values():
        with pytest.raises(Xml2JsError, match=r"line \d+, column \d+"):
            xml_to_json(text, Xml2JsOptions())


@pytest.mark.parametrize(
    "xml",
    ["<!DOCTYPE a><a>x</a>", "<a>bell\x07</a>", "<a:b:c/>", "<a>" * 300 + "</a>" * 300],
    ids=["doctype", "control-character", "name-with-two-colons", "deeper-than-256"],
)
def test_differences_on_purpose(oracle: Xml2JsOracle, xml: str) -> None:
    """xml2js takes these; the hardened parser refuses them (the module docstring says so)."""
    [theirs] = oracle.convert_many([(xml, {})])
    assert not theirs.error
    with pytest.raises(Xml2JsError):
        xml_to_json(xml, Xml2JsOptions())


# --- generated documents --------------------------------------------------------------------

_NAMES = ["a", "b", "item", "x:y", "ns:item", "constructor", "cdata", "_", "Ёлка", "A", "toString"]
_ATTRIBUTES = ["id", "x:y", "xmlns", "xmlns:x", "_", "cdata", "constructor", "a", "ID"]
_TEXT = [
    "a", "Я", " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "&amp;", "&lt;", "&nbsp;", "&Laquo;",
    "&#13;", "&#x41;", "]]>", ">", "'", '"',
]  # fmt: skip
_CDATA = ["x", " ", "\r\n", "<b>", "]]", "&amp;", ""]


def _pieces(alphabet: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet), max_size=5).map("".join)


def _attribute(name: str, value: str) -> str:
    quote = "'" if '"' in value else '"'
    return f" {name}={quote}{value.replace(quote, '')}{quote}"


_ELEMENT_CONTENT = st.deferred(
    lambda: st.one_of(
        _pieces(_TEXT).map(lambda t: t.replace("<", "")),
        _pieces(_CDATA).map(lambda t: f"<![CDATA[{t}]]>"),
        st.just("<!-- note -->"),
        st.just("<?pi data?>"),
        _ELEMENTS,
    )
)
_ELEMENTS: st.SearchStrategy[str] = st.builds(
    lambda name, attributes, content, empty: (
        f"<{name}{''.join(_attribute(a, v) for a, v in attributes)}/>"
        if empty and not content
        else f"<{name}{''.join(_attribute(a, v) for a, v in attributes)}>{''.join(content)}</{name}>"
    ),
    st.sampled_from(_NAMES),
    st.lists(st.tuples(st.sampled_from(_ATTRIBUTES), _pieces(_TEXT)), max_size=3),
    st.lists(_ELEMENT_CONTENT, max_size=4),
    st.booleans(),
)
_DOCUMENTS = st.tuples(
    st.sampled_from(["", '<?xml version="1.0"?>\n', "\ufeff", "\n  ", "<!-- c -->"]),
    _ELEMENTS,
    st.sampled_from(["", "\n", "<!-- after -->", "<after/>", "junk"]),
).map("".join)


@given(xml=_DOCUMENTS, options=st.sampled_from(OPTION_SETS))
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_generated_documents_convert_as_xml2js(
    oracle: Xml2JsOracle, xml: str, options: dict[str, Any]
) -> None:
    problems = _differences(oracle, {repr(xml): xml}, options)
    assert not problems, "\n".join(problems)
