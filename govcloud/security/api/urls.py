"""The security app's API routes; govcloud/api.py calls register()."""


def register(router) -> None:
    pass
