# The two commands: `make run` and `make test`. Both install what they need.
.PHONY: run test build setup bench clean
run:   ; bash scripts/run.sh
test:  ; bash scripts/test.sh
build: ; bash scripts/setup.sh && bash scripts/build.sh
setup: ; bash scripts/setup.sh
clean: ; rm -rf build target/wasm32-unknown-unknown
