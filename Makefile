# User-facing targets: build, test, demo. Everything starts with the idempotent bootstrap.
SHELL := /bin/bash
ROOT := $(CURDIR)
JOBS ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.cache/anatomy-ccache
export CCACHE_BASEDIR := $(ROOT)
export CCACHE_NOHASHDIR := 1
CMAKE_COMMON := -G Ninja
# Optimised without debug info (faster to compile on 2 cores); the sanitizer build is -O1 -g1.
CMAKE_MAIN := $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
              -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG"
CMAKE_ASAN := $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
              -DCMAKE_C_FLAGS_DEBUG="-O1 -g1"
ASAN_ENV := ASAN_OPTIONS=detect_leaks=0:detect_container_overflow=0:abort_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ARROW_DEFAULT_MEMORY_POOL=system

.PHONY: bootstrap build build-asan test test-unit test-asan test-fuzz demo stdlib-oracle call-oracle bench format clean

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	@cmake -S . -B build $(CMAKE_MAIN) -DANATOMY_WERROR=ON >/dev/null
	@cmake --build build -j $(JOBS)

# ASan+UBSan build with clang; it also carries the libFuzzer targets.
build-asan: bootstrap
	@cmake -S . -B build-asan $(CMAKE_ASAN) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DANATOMY_SANITIZE=ON -DANATOMY_FUZZ=ON -DANATOMY_BENCH=OFF -DANATOMY_WERROR=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

test-unit: build
	@cd build && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	@cd build-asan && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) -L unit

test-fuzz: build-asan
	@$(ASAN_ENV) bash scripts/run_fuzzers.sh build-asan 30

# The full suite (build/) runs last so its ctest summary closes the output.
test: test-asan test-fuzz test-unit

demo: build
	@bash scripts/demo.sh

# The symtable oracle over the whole standard library (a sample runs in `make test`).
stdlib-oracle: build
	@bash scripts/stdlib_oracle.sh build

# The call oracle over the standard library's test suites (a driver runs in `make test`).
call-oracle: build
	@bash scripts/call_oracle.sh build

format:
	@find src tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build build-asan
