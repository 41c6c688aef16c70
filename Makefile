# Two commands from a fresh clone: `make run` (the app with the coded corpus) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Django 6.1 needs Python 3.12+: use the newest Python on this machine, else python3 (3.11 gets Django 5.2 LTS).
PYTHON ?= $(shell scripts/find-python)

.PHONY: run test install lint check clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(BIN)/activate

install: $(BIN)/activate

run: install
	DEBUG=True $(MANAGE) migrate --noinput
	DEBUG=True $(MANAGE) load_corpus
	DEBUG=True $(MANAGE) create_demo_accounts
	DEBUG=True $(MANAGE) runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=True $(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .venv-py311 db.sqlite3 staticfiles .pytest_cache .ruff_cache *.egg-info
