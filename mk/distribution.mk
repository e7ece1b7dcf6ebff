# Distribution stage (bundles, sync service, client): extra packages and targets.
# The Swift tests need only libzstd (already in APT_PACKAGES) and FERRY_BIN (already in TEST_ENV);
# the loopback benchmark needs wrk, nginx and curl.
APT_PACKAGES += wrk nginx-light curl

.PHONY: bench-sync bench-delta

# Downloads (ferry beside nginx on the same blob files) and resolve, on loopback, bounded by wrk -d.
bench-sync: deps-apt build
	@bash benchmarks/sync/run.sh $(BIN) $${BENCH_SECONDS:-10} $${BENCH_MIB:-4}

# Delta size for a fine-tuned model (last layer changed) against its full bundle.
# Needs build/bench/mobilenet_v2.onnx (made by `make bench`) and the test venv's onnx.
bench-delta: deps build venv
	@bash benchmarks/sync/delta.sh $(BIN) build/bench/mobilenet_v2.onnx 1 $(PY)

# The PostgreSQL catalogue is tested against a real server on loopback, shared by two instances.
APT_PACKAGES += postgresql
# One word: the Makefile runs TEST_SETUP with $(foreach), which splits on spaces.
TEST_SETUP += scripts/start-test-postgres.sh
TEST_ENV += FERRY_TEST_POSTGRES_URL=postgres://ferry@127.0.0.1:55432/ferry_test
