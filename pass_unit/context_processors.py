from django.conf import settings

from pass_unit.roles import role_of


def unit(request):
    role = role_of(getattr(request, "user", None))
    return {"PASS_UNIT_NAME": settings.PASS_UNIT_NAME, "user_role": role}
