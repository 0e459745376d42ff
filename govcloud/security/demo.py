"""Demo security records; called by govcloud/web/demo.py with the demo organizations and users."""


def load_demo(*, orgs: dict, users: dict) -> None:
    pass
