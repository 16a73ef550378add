# Coopnode: every set-up step a fresh machine needs, behind two commands: `make run`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
FONT := /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf

# The Solidity compiler is npm's solc-js behind tools/solc-wrapper.js, visible to py-solc-x
# and ape-solidity as .solcx/solc-v<version>; anvil comes from npm too. Nothing downloads.
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PATH := $(CURDIR)/node_modules/.bin:$(BIN):$(PATH)

.PHONY: install compile run test forge-test test-postgres lint slither bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else "Python 3.11 or 3.12 is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

.build/__local__.json: $(VENV)/.installed node_modules/.installed ape-config.yaml $(shell find contracts -name '*.sol' -not -path 'contracts/.cache/*')
	ape compile
	touch $@

# The contracts target cancun (ape-config.yaml, foundry.toml). For a chain without it,
# `make compile EVM_VERSION=paris` (or shanghai) also builds .build/evm-<version>/, which the
# node reads when COOP_EVM_VERSION names the version (tools/compile_evm.py, docs/deploy.md).
EVM_VERSION ?= cancun
compile: .build/__local__.json
	@if [ "$(EVM_VERSION)" != cancun ]; then python tools/compile_evm.py $(EVM_VERSION); fi

run: compile $(FONT)
	coop run

# The portal's browser tests drive Debian's Chromium (no browser download): install it if missing.
/usr/bin/chromium:
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Qualified signatures (GOST R 34.10-2012) are checked by OpenSSL with Debian's GOST engine
# (libengine-gost-openssl): install it if missing.
GOST_ENGINE := $(shell openssl version -e 2>/dev/null | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')/gost.so
$(GOST_ENGINE):
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libengine-gost-openssl

# Documents are PDF/A-3b made by WeasyPrint on Debian's Pango with Debian's DejaVu fonts,
# embedded (node/documents/pdf.py names the font files): install them if missing.
$(FONT):
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq
	$$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0

test: compile /usr/bin/chromium $(FONT) $(GOST_ENGINE) forge-test
	pytest

# Invariant fuzzing of the contracts (test/forge, see docs/contracts.md): forge from npm, offline,
# with the same compiler wrapper; the `ci` profile runs 10,000 runs of every invariant. The
# platform binary is run, not npm's node launcher in node_modules/.bin, which exits 0 whatever
# forge answered (a failing invariant must fail the build).
forge-test: node_modules/.installed
	forge=$$(ls node_modules/@foundry-rs/forge-*/bin/forge | head -n 1) && test -x "$$forge" \
	  && FOUNDRY_PROFILE=ci "$$forge" test

# The SQL suites against PostgreSQL (DATABASE_URL, default the local server's `test` database).
test-postgres: compile
	DATABASE_URL=$${DATABASE_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test} pytest -m 'postgres and not bench'

lint: install
	ruff check .
	ruff format --check .
	mypy

# Static analysis. slither lives in its own venv: its pins must not move the node's. It compiles
# without the optimizer, so size warnings are let through here (`make compile` is the gate).
# Medium and lower findings are triaged in docs/contracts.md; a high one fails the build.
.venv-slither/.installed:
	$(PYTHON) -m venv .venv-slither
	.venv-slither/bin/pip install --quiet slither-analyzer==0.11.6
	touch $@

slither: .venv-slither/.installed node_modules/.installed
	COOP_SOLC_ALLOW_WARNINGS=1 .venv-slither/bin/slither contracts --config-file slither.config.json --fail-high

bench: compile
	python benchmarks/run_all.py

clean:
	rm -rf .build contracts/.cache out cache
