#!/usr/bin/env python
from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_db.settings")
    # manage.py is the developer's entry point: a fresh checkout works without any
    # environment. Servers run through wsgi.py/asgi.py, where DEBUG is off unless set.
    os.environ.setdefault("DEBUG", "True")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
