"""The case page's forms, fuzzed as the physician who deliberates.

tests/security/test_fuzz_forms.py fuzzes every page as the first persona who may open it;
for the case page that is the social worker, who reads it without any form. The same
machinery runs here as an editor: the forms of the page post to its actions, below its URL.
"""

from tests.support.fuzz import fuzz_form, own_forms
from tests.support.rcp import rcp_url


def test_the_case_page_forms_survive_bad_input(client, personas, patient):
    world = {"patient": patient, "target": personas["physician"]}
    for name in ("rcp:case-detail", "rcp:case-edit"):
        url = rcp_url(name, world)
        client.force_login(personas["physician"])
        forms = own_forms(client.get(url).content.decode(), url)
        assert len(forms) >= (3 if name == "rcp:case-detail" else 1), name
        for index, form in enumerate(forms):
            fuzz_form(client, form, url, f"{name} #{index} as physician", examples=15)
