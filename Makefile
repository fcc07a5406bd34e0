# Lentera: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := lms
SYSTEM_PACKAGES := ffmpeg chromium fonts-dejavu-core espeak-ng

.PHONY: run test setup system-deps translations translations-update migrate lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

system-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null 2>&1 || missing="$$missing ffmpeg"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/truetype/dejavu ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d lms/translations

# Re-extract every msgid into messages.pot and merge it into the English catalogue, where new
# strings arrive with an empty msgstr. File names but no line numbers, sorted, and the pot is
# only rewritten when its messages changed, so diffs stay small. See docs/TRANSLATIONS.md.
POT := lms/translations/messages.pot
translations-update: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-output \
	  --project=Lentera --version=$$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml) \
	  --copyright-holder=Lentera --ignore-dirs='.* __pycache__' -o $(POT).new .
	@if [ -f $(POT) ] && diff -q -I '^"POT-Creation-Date: ' $(POT) $(POT).new >/dev/null; \
	  then rm $(POT).new; else mv $(POT).new $(POT); fi
	$(BIN)/pybabel -q update -i $(POT) -d lms/translations -l en \
	  --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

setup: system-deps $(VENV)/.installed translations

migrate: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask lms seed-demo
	$(BIN)/flask lms import-course $(patsubst %/course.toml,%,$(wildcard courses/*/course.toml))
	$(BIN)/flask lms seed-demo-assignments

run: migrate
	@echo ""
	@echo "Lentera berjalan di http://$(HOST):$(PORT)/"
	@echo "Akun demo (kata sandi: lentera-demo):"
	@echo "  admin@lentera.test          admin platform"
	@echo "  bkpsdm.solok@lentera.test   admin BKPSDM Kota Solok"
	@echo "  bkpsdm.serang@lentera.test  admin BKPSDM Kota Serang"
	@echo "  bkpsdm.swl@lentera.test     admin BKPSDM Kota Sawahlunto"
	@echo "  pelatih@lentera.test        pelatih"
	@echo "  atasan.solok@lentera.test   atasan (Kepala Dinas Kesehatan Kota Solok)"
	@echo "  pegawai.solok@lentera.test  pegawai Dinas Kesehatan Kota Solok"
	@echo "  pegawai.serang@lentera.test pegawai Kota Serang"
	@echo ""
	@echo "Worker antrean (video, sertifikat, pengingat) berjalan bersama server web."
	export LMS_DEMO_MODE=$${LMS_DEMO_MODE:-1} LMS_BASE_URL=$${LMS_BASE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/flask lms worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --limit-request-line 8190 \
	  --access-logfile - "lms:create_app()"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) instance test-artifacts
