# uproc: the two commands.
#   make demo   - install what is missing, build, boot the example firmware
#   make check  - install what is missing, build and run the whole test suite:
#                 normal build, ASan+UBSan build, and bounded libFuzzer runs
#   make bench  - build and run every benchmark (bench-*); text and JSON summary in
#                 $(BUILD)/bench-results/bench.txt and bench.json
JOBS        ?= $(shell nproc)
BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
FUZZ_SECONDS ?= 20

.PHONY: all deps build demo bench check check-normal check-asan check-fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

demo: deps
	@JOBS=$(JOBS) scripts/demo.sh $(BUILD)

bench: build
	scripts/bench.sh $(BUILD)

check: deps
	$(MAKE) --no-print-directory check-normal
	$(MAKE) --no-print-directory check-asan
	$(MAKE) --no-print-directory check-fuzz
	@echo "make check: all stages passed"

check-normal:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE fuzz

check-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUPROC_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -LE fuzz

check-fuzz:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUPROC_FUZZ=ON -DUPROC_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j$(JOBS) -L fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
