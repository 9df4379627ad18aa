"""The French catalogue: complete, compiled, with the same placeholders as the English source.

The .po file is read by a small pure-Python parser, so these tests run without gettext installed.
After `makemessages`, translate the new entries, then run `manage.py compilemessages -l fr -l en --ignore=.venv`.
"""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
FR_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
FR_MO = LOCALE / "fr" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

# %(name)s, %(n)d… as written by Python code and by {% blocktranslate %}.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([a-zA-Z])")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def where(self) -> str:
        return repr(self.msgid[:60])


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first (msgid "")."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            if entry is not None:
                entry.obsolete = True
            continue
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword: {raw!r}"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
        else:
            match = re.fullmatch(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")", line)
            assert match, f"{path}: unexpected line: {raw!r}"
            name, index, value = match.group(1), int(match.group(2) or 0), _unquote(match.group(3))
            target = (name, index)
            if name == "msgstr":
                entry.msgstr[index] = value
            else:
                setattr(entry, name, value)
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if not e.obsolete]


def header(entries: list[Entry]) -> dict[str, str]:
    assert entries and entries[0].msgid == "", "the catalogue must start with its header"
    lines = [line.split(":", 1) for line in entries[0].msgstr[0].splitlines() if ":" in line]
    return {key.strip(): value.strip() for key, value in lines}


def placeholders(text: str) -> set[tuple[str, str]]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def fr_entries() -> list[Entry]:
    return parse_po(FR_PO)


@pytest.fixture(scope="module")
def fr_messages(fr_entries) -> list[Entry]:
    return fr_entries[1:]


def test_the_french_header_declares_french_plurals(fr_entries):
    fields = header(fr_entries)
    assert fields["Language"] == "fr"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"
    assert "fuzzy" not in fr_entries[0].flags


def test_the_english_header_declares_english_plurals():
    fields = header(parse_po(EN_PO))
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert EN_MO.exists(), "run manage.py compilemessages -l en"


def test_every_french_entry_is_translated_and_not_fuzzy(fr_messages):
    assert len(fr_messages) > 100
    fuzzy = [e.where for e in fr_messages if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    untranslated = []
    for e in fr_messages:
        expected = 2 if e.msgid_plural is not None else 1
        if len(e.msgstr) != expected or not all(e.msgstr.get(i, "").strip() for i in range(expected)):
            untranslated.append(e.where)
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_placeholders_match_the_source(fr_messages):
    wrong = []
    for e in fr_messages:
        source = placeholders(e.msgid) | placeholders(e.msgid_plural or "")
        for index, text in e.msgstr.items():
            if placeholders(text) != source:
                wrong.append(f"{e.where}[{index}]: {sorted(placeholders(text))} != {sorted(source)}")
            if "{{" in text or "{%" in text:
                wrong.append(f"{e.where}[{index}]: template syntax in a translation")
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalogue_is_up_to_date(fr_messages):
    assert FR_MO.exists(), "run manage.py compilemessages -l fr"
    with FR_MO.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    expected = {}
    for e in fr_messages:
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected[msgid] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                expected[(msgid, index)] = text
    compiled = {key: value for key, value in catalog.items() if key != ""}
    stale = sorted(repr(key) for key in expected if compiled.get(key) != expected[key])
    assert not stale, f"the .mo differs from the .po (run compilemessages): {stale[:10]}"
    extra = sorted(repr(key) for key in compiled.keys() - expected.keys())
    assert not extra, f"the .mo has entries no longer in the .po (run compilemessages): {extra[:10]}"


@pytest.mark.django_db
def test_the_login_page_is_in_french_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert "Compte strictement personnel" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_the_login_page_is_in_english_when_the_browser_asks(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Personal account only" in html
    assert "Se connecter" not in html


SOURCES = ["manage.py", "pass_unit", "patients", "rcp", "budget", "templates", "locale"]


def test_the_catalogue_covers_every_string_of_the_source(tmp_path, fr_messages):
    """A string added to the code without `make messages` would show in English."""
    import os
    import shutil
    import subprocess
    import sys

    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("gettext is needed in CI (.ci/run installs it)")
        pytest.skip("xgettext not installed (apt-get install gettext)")
    for name in SOURCES:
        source = Path(settings.BASE_DIR) / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgresql://unused@/unused"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = parse_po(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")[1:]
    known = {(e.msgctxt, e.msgid) for e in fr_messages}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known)
    assert not missing, f"Run `make messages` and translate: {missing[:20]}"
