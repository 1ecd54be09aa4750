"""Reading the file safely: hostile input becomes one Problem, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from automations.bpmn import ScenarioInvalid, load_scenario, parse_scenario
from automations.bpmn.xml import MAX_XSD_PROBLEMS, _schema, document_text
from automations.xml_guard import hardened_parser
from support.bpmn_documents import HEADER, MINIMAL_BODY
from support.bpmn_documents import make_xml as xml


def _only(exc: pytest.ExceptionInfo[ScenarioInvalid]) -> tuple[int, str, str]:
    [problem] = exc.value.problems
    return problem.line, problem.element, problem.message


def test_str_bytes_and_path_sources_load_alike(tmp_path: Path) -> None:
    text = xml(MINIMAL_BODY)
    path = tmp_path / "s.bpmn"
    path.write_text(text)
    loaded = [load_scenario(text), load_scenario(text.encode()), load_scenario(path)]
    assert [s.file for s in loaded] == ["<string>", "<string>", str(path)]
    assert all(list(s.main.elements) == ["Start", "End"] for s in loaded)


def test_file_argument_names_the_file_in_problems() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario("", file="scenarios/x.bpmn")
    assert exc.value.problems[0].file == "scenarios/x.bpmn"


@pytest.mark.parametrize(
    "prolog",
    [
        "<!DOCTYPE x>",
        "<!-- a comment -->\n<!DOCTYPE x>",
        '<?xml version="1.0"?>\n<?pi stuff?>\n<!DOCTYPE x [<!ENTITY a "b">]>',
        "<!doctype x>",
    ],
)
def test_doctype_is_refused_wherever_it_hides_in_the_prolog(prolog: str) -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(prolog + "\n" + xml(MINIMAL_BODY))
    assert "DOCTYPE" in _only(exc)[2]


def test_xxe_never_reads_the_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = (
        f'<!DOCTYPE d [<!ENTITY s SYSTEM "{secret.as_uri()}">]>\n'
        + HEADER
        + '<bpmn:process id="P" name="&s;"/></bpmn:definitions>'
    )
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(text)
    assert _only(exc) == (1, "-", "DOCTYPE declarations are not allowed in a scenario; remove it")
    assert "TOP-SECRET" not in str(exc.value)


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 30)
    )
    text = (
        f"<!DOCTYPE d [{entities}]>\n{HEADER}<bpmn:process id='P' name='&l29;'/></bpmn:definitions>"
    )
    started = time.perf_counter()
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(text)
    assert "DOCTYPE" in _only(exc)[2]
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_doctype_in_utf16_or_utf32_is_refused(codec: str) -> None:
    data = ("<!DOCTYPE x>\n" + xml(MINIMAL_BODY)).encode(codec)
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(data)
    assert "DOCTYPE" in _only(exc)[2]


def test_utf16_file_without_doctype_loads() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n' + xml(MINIMAL_BODY)
    assert list(load_scenario(text.encode("utf-16")).main.elements) == ["Start", "End"]


def test_latin1_declared_file_loads_from_bytes_and_from_text() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n' + xml(
        MINIMAL_BODY.replace('id="Start"', 'id="Start" name="Café"')
    )
    from_bytes = load_scenario(text.encode("latin-1"))
    from_text = load_scenario(text)
    assert from_bytes.main.elements["Start"].name == from_text.main.elements["Start"].name == "Café"


@pytest.mark.parametrize("encoding", ["UTF-7", "EBCDIC-US", "no-such-codec"])
def test_encodings_the_prolog_scan_cannot_read_are_refused(encoding: str) -> None:
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n' + xml(MINIMAL_BODY)
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(text.encode("ascii"))
    assert _only(exc) == (1, "-", f"encoding {encoding!r} is not supported; save the file as UTF-8")


def test_ebcdic_bytes_are_refused_before_parsing() -> None:
    data = '<?xml version="1.0"?><!DOCTYPE x><x/>'.encode("cp500")
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(data)
    assert "not well-formed XML" in _only(exc)[2]


def test_doctype_text_inside_cdata_is_just_text() -> None:
    body = MINIMAL_BODY.replace(
        '<bpmn:startEvent id="Start"/>',
        '<bpmn:startEvent id="Start"><bpmn:documentation><![CDATA[<!DOCTYPE html>]]>'
        "</bpmn:documentation></bpmn:startEvent>",
    )
    assert "Start" in load_scenario(xml(body)).main.elements


@pytest.mark.parametrize("content", ["", "   \n\t ", b"", b"\n"])
def test_empty_file(content: str | bytes) -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(content)
    assert _only(exc)[:2] == (1, "-")
    assert "file is empty" in _only(exc)[2]


@pytest.mark.parametrize("content", ["examples/order.bpmn", b"examples/order.bpmn", b"\xff\x00"])
def test_text_that_is_not_xml_gets_a_users_message(content: str | bytes) -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(content)
    assert _only(exc) == (
        1,
        "-",
        "not well-formed XML: the file does not start with '<'",
    )


UTF16_DECLARED = "<?xml version='1.0' encoding='UTF-16'?><a>Ж</a>"
CP1251_DECLARED = '<?xml version="1.0" encoding="windows-1251"?><a>Ж</a>'


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("\ufeff<a>Ж</a>".encode("utf-16-le"), "<a>Ж</a>"),
        ("\ufeff<a>Ж</a>".encode("utf-16-be"), "<a>Ж</a>"),
        ("<a>Ж</a>".encode("utf-32"), "<a>Ж</a>"),  # with its byte order mark
        ("\ufeff<a>Ж</a>".encode(), "<a>Ж</a>"),
        ("<a>Ж</a>".encode(), "<a>Ж</a>"),
        (UTF16_DECLARED.encode("utf-16-le"), UTF16_DECLARED.replace("UTF-16", "UTF-8")),
        (
            ("\ufeff" + UTF16_DECLARED).encode("utf-16-be"),
            UTF16_DECLARED.replace("UTF-16", "UTF-8"),
        ),
        (CP1251_DECLARED.encode("cp1251"), CP1251_DECLARED.replace("windows-1251", "UTF-8")),
    ],
)
def test_document_text_reads_bytes_as_the_parser_does(data: bytes, text: str) -> None:
    decoded = document_text(data)
    assert decoded == text
    # The text, handed to the parser as UTF-8 bytes, is the document the bytes were.
    as_sent = etree.fromstring(data, hardened_parser())
    as_kept = etree.fromstring(decoded.encode(), hardened_parser())
    assert (as_kept.tag, as_kept.text) == (as_sent.tag, as_sent.text) == ("a", "Ж")


def test_document_text_refuses_bytes_that_are_not_their_encoding() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        document_text(b"<a>\xff</a>", file="x.bpmn")
    assert _only(exc) == (1, "-", "the file is not valid utf-8 text; save it as UTF-8")


def test_oversized_text_is_refused() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(xml(MINIMAL_BODY), max_bytes=100)
    assert _only(exc)[:2] == (1, "-")
    assert "larger than the 100 byte limit" in _only(exc)[2]


def test_oversized_file_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.bpmn"
    path.write_text(xml(MINIMAL_BODY) + " " * 10_000)
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(path, max_bytes=1000)
    assert "larger than the 1000 byte limit" in _only(exc)[2]


def test_default_limit_is_five_megabytes() -> None:
    padding = "<!--" + "x" * (5 * 1024 * 1024) + "-->"
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(xml(MINIMAL_BODY) + padding)
    assert "byte limit" in _only(exc)[2]


def test_missing_file_is_a_problem_not_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(tmp_path / "nope.bpmn")
    assert _only(exc)[:2] == (0, "-")
    assert "cannot read the file" in _only(exc)[2]


def test_lone_surrogates_in_text() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(xml(MINIMAL_BODY).replace("Start", "\ud800"))
    assert _only(exc)[:2] == (1, "-")


def test_not_xml() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "not well-formed XML" in _only(exc)[2]


def test_broken_xml_reports_the_line_of_the_break() -> None:
    text = xml(MINIMAL_BODY).replace('<bpmn:endEvent id="End"/>', '<bpmn:endEvent id="End">')
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(text)
    assert _only(exc) == (
        6,  # where libxml2 notices; the message names the line of the unclosed tag
        "-",
        "not well-formed XML: Opening and ending tag mismatch: endEvent line 4 and process",
    )


def test_absurd_nesting_is_a_problem_not_a_crash() -> None:
    text = HEADER + "<a>" * 5000 + "</a>" * 5000 + "</bpmn:definitions>"
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(text)
    assert exc.value.problems


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('<definitions id="D"/>', "found definitions"),
        (
            '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            "{http://www.w3.org/1999/xhtml}html",
        ),
        (
            '<definitions xmlns="http://www.omg.org/spec/BPMN/20100501/MODEL"/>',
            "{http://www.omg.org/spec/BPMN/20100501/MODEL}definitions",
        ),
    ],
)
def test_wrong_root_element(text: str, found: str) -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(text)
    assert _only(exc)[2].endswith(found)


def test_wrong_root_names_its_id_or_tag() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario("<html>\n<body/></html>")
    assert _only(exc)[:2] == (1, "html")


def test_xsd_problem_points_at_the_nearest_element_with_an_id() -> None:
    body = MINIMAL_BODY.replace(
        '<bpmn:startEvent id="Start"/>',
        '<bpmn:startEvent id="Start">\n<bpmn:documentation bogus="1"/>\n</bpmn:startEvent>',
    )
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(xml(body))
    assert [(p.line, p.element) for p in exc.value.problems] == [(4, "Start")]
    assert exc.value.problems[0].message.startswith("not valid BPMN: Element 'bpmn:documentation'")


def test_xsd_problem_on_a_root_without_id_names_its_tag() -> None:
    text = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(text)
    assert ("definitions", 1) in {(p.element, p.line) for p in exc.value.problems}


def test_vendor_extensions_in_their_own_namespace_are_fine() -> None:
    body = MINIMAL_BODY.replace(
        '<bpmn:startEvent id="Start"/>',
        '<bpmn:startEvent id="Start" xmlns:v="urn:vendor" v:color="red">'
        "<bpmn:extensionElements><v:meta key='x'><v:deep/></v:meta></bpmn:extensionElements>"
        "</bpmn:startEvent>",
    )
    assert "Start" in load_scenario(xml(body)).main.elements


def test_schema_location_hints_are_ignored(tmp_path: Path) -> None:
    # A hint pointing at a schema that would reject everything must not be loaded.
    strict = tmp_path / "strict.xsd"
    strict.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:vendor">'
        '<xs:element name="meta" type="xs:int"/></xs:schema>'
    )
    body = MINIMAL_BODY.replace(
        '<bpmn:startEvent id="Start"/>',
        '<bpmn:startEvent id="Start" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:v="urn:vendor" xsi:schemaLocation="urn:vendor {strict.as_uri()}">'
        "<bpmn:extensionElements><v:meta>not an int</v:meta></bpmn:extensionElements>"
        "</bpmn:startEvent>",
    )
    assert "Start" in load_scenario(xml(body)).main.elements


def test_xsd_problems_are_capped() -> None:
    bad = "\n".join(f'<bpmn:task id="T{i}" startQuantity="x"/>' for i in range(200))
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(xml(bad))
    assert sum(p.message.startswith("not valid BPMN") for p in exc.value.problems) == (
        MAX_XSD_PROBLEMS
    )


def test_schema_is_compiled_once() -> None:
    assert _schema() is _schema()
