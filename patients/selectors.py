"""Reads of patient data reused across views and apps.

The search itself lives on `PatientQuerySet` (models.py): this module imports the models,
never the other way round.
"""

from django.db.models import QuerySet

from patients.models import Patient

# Duplicates offered at registration: enough to recognise the person, short enough to read.
DUPLICATES_SHOWN = 10


def find_duplicates(
    *, last_name: str, first_name: str = "", aliases=(), birth_year: int | None = None, exclude_pk: int | None = None
) -> QuerySet[Patient]:
    """Files that are likely the same person: similar names or aliases and a close birth year."""
    return Patient.objects.likely_duplicates(
        last_name=last_name, first_name=first_name, aliases=aliases, birth_year=birth_year, exclude_pk=exclude_pk
    )[:DUPLICATES_SHOWN]
