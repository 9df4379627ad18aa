"""factory_boy factories. Complex state is built through the real services."""

import datetime

import factory
from django.utils import timezone

from patients.models import CoverageRight, MedicalContext, Patient, SocialAssessment, Visit


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    file_number = factory.Sequence(lambda n: f"PASS-2026-{n + 90000:05d}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    first_name = "Amina"
    birth_year = 1990
    sex = Patient.Sex.FEMALE


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    patient = factory.SubFactory(PatientFactory)
    kind = Visit.Kind.RECEPTION
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))


class SocialAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAssessment

    patient = factory.SubFactory(PatientFactory)
    housing = SocialAssessment.Housing.SHELTER_115


class CoverageRightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageRight

    patient = factory.SubFactory(PatientFactory)
    regime = CoverageRight.Regime.AME
    status = CoverageRight.Status.TO_ASSESS


class MedicalContextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalContext

    patient = factory.SubFactory(PatientFactory)
    chronic_conditions = "Diabète de type 2"
