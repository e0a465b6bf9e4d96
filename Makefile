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

## Speed (docs/measurements.md, "Speed"): simulator steps per CPU second and ODE integration times, ending with
## issue 12's rows (release build; a few minutes). With the C yardstick sgd_limit.c — by default
## ../shared/bench/sgd_limit.c when that exists, or `make bench YARDSTICK=path/to/sgd_limit.c` —
## it is compiled (cc -Ofast -march=native) and run beside each configuration, and the ratios are
## printed; without one (a bare clone), absolute figures only. `make bench-ode`: the ODE part alone.
YARDSTICK ?= $(wildcard ../shared/bench/sgd_limit.c)
bench: release
	@if [ -n "$(YARDSTICK)" ]; then \
		mkdir -p .build && cc -Ofast -march=native -o .build/sgd_limit "$(YARDSTICK)" -lm && \
		.build/release/sgdyn bench --ode --yardstick .build/sgd_limit; \
	else \
		echo "no yardstick (../shared/bench/sgd_limit.c is not there; make bench YARDSTICK=path/to/sgd_limit.c): absolute figures only"; \
		.build/release/sgdyn bench --ode; \
	fi

bench-ode: release
	.build/release/sgdyn bench --ode --n ""

## The daemon: pickup latency after a drop and checkpoint overhead (release build; a few minutes).
.PHONY: bench-daemon
bench-daemon: release
	./scripts/daemon-bench.sh .build/release/sgdyn

## The Slurm executor against the local one on a real single-node cluster (release build; ~5 minutes).
.PHONY: bench-slurm
bench-slurm: release
	./scripts/slurm-bench.sh .build/release/sgdyn

## The morning view: time to write the index of 2,000 bundles, and its size (release build; a minute or two).
.PHONY: bench-report
bench-report: release
	python3 scripts/report_bench.py .build/release/sgdyn

## Coverage-guided fuzzing of every decoder of untrusted bytes, long (docs/operations.md, "Fuzzing and sanitizers"):
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
