from django.apps import AppConfig


class RcpConfig(AppConfig):
    name = "rcp"
