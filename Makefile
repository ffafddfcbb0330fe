# uproc: the two commands.
#   make demo   - install what is missing, build, boot the example firmware
#   make check  - install what is missing, build and run the whole test suite:
#                 normal build, ASan+UBSan build, TSan on the threaded tests,
#                 and bounded libFuzzer runs
#   make bench  - build and run every benchmark (bench-*); text and JSON summary in
#                 $(BUILD)/bench-results/bench.txt and bench.json
#   make soak   - build and run the hostile-firmware soak (about an hour; report in
#                 $(BUILD)/soak-report.txt; SOAK_FLOOD_SECONDS, SOAK_CYCLES,
#                 SOAK_ATTACK_ROUNDS change its length)
JOBS        ?= $(shell nproc)
BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
TSAN_BUILD  ?= build-tsan
FUZZ_SECONDS ?= 20

.PHONY: all deps build demo bench soak check check-normal check-asan check-tsan check-fuzz install clean

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

soak: build
	tests/hostile/soak.sh $(BUILD)

check: deps
	$(MAKE) --no-print-directory check-normal
	$(MAKE) --no-print-directory check-asan
	$(MAKE) --no-print-directory check-tsan
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

# ThreadSanitizer over the tests whose threads share uproc objects (label threaded):
# the loop, blocking rpmsg senders, the host-memory cores. Only their programs are
# built; a new threaded test goes in both places.
TSAN_TARGETS ?= test-loop test-rpmsg test-rpmsg-hostile test-rpmsg-lifetime test-remoteproc-lifecycle \
	test-remoteproc-resources test-remoteproc-coredump test-remoteproc-rpmsg
check-tsan:
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUPROC_TSAN=ON
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target $(TSAN_TARGETS)
	cd $(TSAN_BUILD) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
		ctest --output-on-failure -j$(JOBS) -L threaded

check-fuzz:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUPROC_FUZZ=ON -DUPROC_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j$(JOBS) -L fuzz

# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]: the programs, libraries,
# headers, pkg-config files, CMake package, firmware SDK, manual pages and systemd
# unit (what goes where: cmake/uproc_install.cmake, README "Installing").
PREFIX ?= /usr/local
install:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD) -j$(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
