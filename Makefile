# The two commands: `make run` and `make test`. Both install what they need.
.PHONY: run test check build setup fuzz screenshots bench bench-paint bench-quick bench-log bench-store bench-startup bench-capture bench-server clean
run:   ; bash scripts/run.sh
test:  ; bash scripts/test.sh
check: ; bash scripts/setup.sh && bash scripts/check.sh
build: ; bash scripts/setup.sh && bash scripts/build.sh
setup: ; bash scripts/setup.sh
# The parsers' property tests (src/core/tests/fuzz_parsers.rs) with many more
# cases than `make test` runs; ESCUCHA_FUZZ_CASES=<n> to choose.
fuzz: ; ESCUCHA_FUZZ_CASES=$${ESCUCHA_FUZZ_CASES:-50000} cargo test --release -p escucha-core --test fuzz_parsers
screenshots: ; bash scripts/setup.sh && bash scripts/build.sh && node scripts/screenshots.mjs
# The benchmarks that ask the engine itself (benchScan, benchFloor,
# bench_store) run a build with escucha-web's `bench` feature, in build/bench;
# the shipped build/chrome has no benchmark code. The others measure it.
BENCH_ENV = ESCUCHA_BUILD=build/bench ESCUCHA_WEB_FEATURES=bench
bench: ; bash scripts/setup.sh && $(BENCH_ENV) bash scripts/build.sh && $(BENCH_ENV) node tests/bench/highlight.mjs && cargo run --quiet --release -p escucha-core --example bench_matcher && node tests/bench/paint.mjs
bench-quick: ; bash scripts/setup.sh && $(BENCH_ENV) bash scripts/build.sh && $(BENCH_ENV) node tests/bench/highlight.mjs --quick
bench-log: ; bash scripts/setup.sh && bash scripts/build.sh && cargo run --quiet --release -p escucha-core --example bench_log -- --emit target/bench_log_captures.json --results tests/bench/results/log-native.json && node tests/bench/log_page.mjs
bench-store: ; bash scripts/setup.sh && $(BENCH_ENV) bash scripts/build.sh && $(BENCH_ENV) node tests/bench/store.mjs
bench-startup: ; bash scripts/setup.sh && bash scripts/build.sh && node tests/bench/content_startup.mjs
bench-capture: ; cargo run --quiet --release -p escucha-corpus --bin capture-fidelity
# The team-log server on SQLite and on a throw-away PostgreSQL (scripts/pg.sh), through its API vs raw inserts.
bench-server: ; bash scripts/setup.sh && cargo build --release -p escucha-server && \
	U=$$(bash scripts/pg.sh start) && ESCUCHA_TEST_POSTGRES=$$U cargo run --quiet --release -p escucha-server --example bench_server -- $(ARGS); \
	rc=$$?; bash scripts/pg.sh stop; exit $$rc
clean: ; rm -rf build target/wasm32-unknown-unknown
# paint11: painting cost, overlay vs CSS.highlights (no extension build needed).
bench-paint: ; bash scripts/setup.sh && node tests/bench/paint.mjs
