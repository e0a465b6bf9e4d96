# sgdyn — the two set-up commands (README):
#   make run    install what is missing, build, and run sgdyn on the repo's own inbox/outbox
#   make test   install what is missing, build, and run the whole test suite
# Everything else here is a helper for those two and for benchmarks.

SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: run test deps build release bench bench-ode clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build --product sgdyn

release: deps
	$(SWIFT) build -c release --product sgdyn

## The daemon in the foreground on the repo's own inbox/, outbox/ and state/ (Ctrl-C stops it
## after checkpointing; start it again to resume).
run: release
	.build/release/sgdyn serve --inbox inbox --outbox outbox --state state

## The whole test suite (what .ci/run calls).
test: deps
	./scripts/test.sh

## Speed against the C yardstick (release build; takes a few minutes when clean).
bench: release
	mkdir -p .build && cc -Ofast -march=native -o .build/sgd_limit ../shared/bench/sgd_limit.c -lm
	.build/release/sgdyn bench --yardstick .build/sgd_limit

## The daemon: pickup latency after a drop and checkpoint overhead (release build; a few minutes).
.PHONY: bench-daemon
bench-daemon: release
	./scripts/daemon-bench.sh .build/release/sgdyn

## The morning view: time to write the index of 2,000 bundles, and its size (release build; a minute or two).
.PHONY: bench-report
bench-report: release
	python3 scripts/report_bench.py .build/release/sgdyn

## Coverage-guided fuzzing of every decoder of untrusted bytes, long (README, "Fuzzing"):
## FUZZ_SECONDS per target (default 600: 1.5 hours for the nine), after the fuzz package's build.
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz: deps
	./scripts/fuzz.sh --seconds $(FUZZ_SECONDS)

## The daemon's, store's and job code's suites under ThreadSanitizer and AddressSanitizer (own
## build folders .build-tsan and .build-asan; about 15 minutes from clean, a few once built).
.PHONY: sanitize
sanitize: deps
	./scripts/sanitize.sh

clean:
	rm -rf .build

## Install sgdyn as a system service (root): release binary, unit, user, folders (README).
.PHONY: install
install: deps
	./scripts/install-service.sh
