# The two commands of the README:
#   make demo   set up, build, and run the demo pipeline (PostgreSQL -> DuckDB)
#   make test   set up, build, and run every test
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: all setup build demo test unit bench clean

all: build

setup:
	@./scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@./demo/run-demo.sh

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Benchmarks print ratios against a reference measured in the same run (bench/README.md).
bench: build
	@$(BUILD_DIR)/bench/wharf_decoder_bench
	@WHARF=$(BUILD_DIR)/wharf ./bench/capture_bench.sh
	@WHARF=$(BUILD_DIR)/wharf ./bench/full_load_bench.sh
	@WHARF=$(BUILD_DIR)/wharf ./bench/modes_bench.sh
	@WHARF=$(BUILD_DIR)/wharf ./bench/big_txn_bench.sh
	@WHARF=$(BUILD_DIR)/wharf ./bench/e2e_bench.sh
	@WHARF=$(BUILD_DIR)/wharf ./bench/models_bench.sh

unit: build
	@$(BUILD_DIR)/tests/wharf_unit_tests

clean:
	rm -rf $(BUILD_DIR) .demo .test-work
