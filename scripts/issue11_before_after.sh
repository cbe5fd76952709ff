#!/usr/bin/env bash
# Issue 11, "each item has a test that fails on today's code and passes
# after": runs this tree's HTTP-level security tests (src/server/tests/
# hostile_http.rs and connections.rs, SQLite half) against the server as it
# was before issue 11's server work (default: the parent of 5b4a4bc), in a
# throw-away copy made by `git archive`, then against this tree, and prints
# each test's result on both.
#
# The old server had no PostgreSQL engine and no connections module: the
# copy gets a shim for the two test helpers that name them (the PostgreSQL
# half skips; the open-file limit is raised by `ulimit` here instead).
#
# Usage: bash scripts/issue11_before_after.sh [<commit before>]
# Env: OLD_DIR (default /tmp/escucha-issue11-before), OLD_TARGET (its cargo
# target dir, default $OLD_DIR-target; kept between runs to reuse builds).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
before=${1:-5b4a4bc^}
old=${OLD_DIR:-/tmp/escucha-issue11-before}
target=${OLD_TARGET:-$old-target}
rm -rf "$old"
mkdir -p "$old"
git -C "$root" archive "$before" | tar -x -C "$old"
mkdir -p "$old/src/server/tests/common"
cp "$root/src/server/tests/hostile_http.rs" "$root/src/server/tests/connections.rs" "$old/src/server/tests/"
cp "$root/src/server/tests/common/mod.rs" "$old/src/server/tests/common/"
cat >>"$old/src/server/src/lib.rs" <<'SHIM'

/// issue11_before_after.sh: test helpers the old tree lacks (no PostgreSQL
/// engine: its half of the tests skips).
pub mod postgres {
    pub fn test_postgres_url() -> Option<String> {
        None
    }
    pub async fn scratch_database(_: &str, _: &str) -> Result<String, String> {
        unreachable!("no PostgreSQL before issue 16")
    }
}
/// issue11_before_after.sh: the script raised the limit with `ulimit`.
pub mod connections {
    pub fn raise_open_file_limit() -> std::io::Result<(u64, u64)> {
        let limits = std::fs::read_to_string("/proc/self/limits")?;
        let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap_or("");
        let n: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        Ok((n.first().copied().unwrap_or(1024), n.get(1).copied().unwrap_or(1024)))
    }
}
SHIM
ulimit -Sn "$(ulimit -Hn)" || true
run() { # dir target → "name result" lines
    (cd "$1" && env -u ESCUCHA_TEST_POSTGRES CARGO_TARGET_DIR="$2" cargo test -p escucha-server --test hostile_http --test connections -- --test-threads=2 2>&1 || true) |
        grep -E '^test .* \.\.\. ' | grep -v '::postgres ' | sed -E 's/^test ([^ ]+) \.\.\. (.*)$/\1 \2/' | sort
}
echo "building and running the tests on $before ($old) …" >&2
run "$old" "$target" >"$old.results"
echo "… and on this tree" >&2
run "$root" "${CARGO_TARGET_DIR:-$root/target}" >"$old.now"
printf '%-70s %-8s %s\n' test before now
join -a1 -a2 -e missing -o 0,1.2,2.2 "$old.results" "$old.now" | while read -r name b a; do printf '%-70s %-8s %s\n' "$name" "$b" "$a"; done
