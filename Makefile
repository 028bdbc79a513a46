# The two commands of README.md. Each installs what it needs first.
#   make run    install deps, build, run `mulenet doctor` (succeeds whatever it finds)
#   make test   install deps, build, run every test
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
WERROR := $(if $(CI),ON,OFF)

.PHONY: run test build program configure deps clean asan bench fuzz-long

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMULENET_WERROR=$(WERROR) -DMULENET_UNITY_BUILD=ON >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only what the doctor needs, the program and its library: a newcomer sees
# the report without waiting for the tests and fuzzers (`make test` builds them).
program: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target mulenet_cli

run: program
	@$(BUILD_DIR)/bin/mulenet doctor $(ARGS); code=$$?; \
	  echo "(mulenet doctor exited with $$code: 0 all good, 1 warnings, 2 problems)"

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The same suite, the lab included, under AddressSanitizer + UndefinedBehaviorSanitizer
# (root for the lab). A sanitizer report of any process fails it, also one whose exit
# code no test reads: they are collected in build-asan/sanitizer-reports.
asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@rm -rf build-asan/sanitizer-reports && mkdir -p build-asan/sanitizer-reports
	@cd build-asan && ctest --output-on-failure -j $(JOBS) --timeout 900; status=$$?; \
	  if [ -n "$$(ls sanitizer-reports)" ]; then \
	    for f in sanitizer-reports/*; do echo "== sanitizer report $$f"; head -n 60 "$$f"; done; exit 1; \
	  fi; \
	  echo "make asan: no sanitizer report"; exit $$status

# Side-by-side benchmarks against the tools a user would otherwise use (root: it builds a lab).
bench: deps program
	@bash bench/build_run.sh
	@bash bench/run.sh
	@bash bench/portmap_run.sh
	@bash bench/kad_run.sh
	@bash bench/daemon_run.sh
	@bash bench/daemon_faults.sh
	@bash bench/daemon_flood.sh

# Every fuzz target for 10 million executions or 20 minutes each (ASan + UBSan),
# two at a time: hours, not minutes; writes bench/results/fuzz.md.
fuzz-long: deps
	@bash bench/fuzz_long.sh

clean:
	rm -rf $(BUILD_DIR) build-asan
