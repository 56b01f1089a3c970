#!/usr/bin/env bash
# tests/mutants.sh — do the tests catch real bugs? Copies the tree (tracked
# and new files, as they are in the working tree) into a temporary directory,
# builds the engine and the test executables there (Release, -j2), checks that
# they pass, then puts in one deliberate one-line bug at a time (the list is
# tests/mutants.txt: file, function, expression, replacement), rebuilds what
# changed and runs the tests named for it. Each mutant must make a test fail.
#
#   tests/mutants.sh            all mutants
#   tests/mutants.sh -k DIR     keep the copy in DIR (to look at a survivor)
#   CONVSCOPE_MUTANTS=FILE tests/mutants.sh    another list (trying out new mutants)
#
# Prints "N of N mutants caught"; exits non-zero if one survives, or if a
# mutant's function or expression is not found exactly once (code moved by a
# refactor must take its mutant along), or if the unmutated tree fails.
# Run by .ci/run; takes a few minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
list="${CONVSCOPE_MUTANTS:-$root/tests/mutants.txt}"
keep=""
if [ "${1:-}" = "-k" ]; then keep="${2:?-k needs a directory}"; fi

if [ -n "$keep" ]; then
  work="$keep"
  if [ -e "$work" ] && [ ! -e "$work/.convscope-mutants" ]; then
    echo "mutants: $work exists and is not a copy made by tests/mutants.sh; not touching it" >&2
    exit 2
  fi
  rm -rf "$work" && mkdir -p "$work" && touch "$work/.convscope-mutants"
else
  work="$(mktemp -d /tmp/convscope-mutants.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
tree="$work/src"
mkdir -p "$tree"
# the files git knows of plus new ones not ignored, as they are now
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xf - -C "$tree"

# mutate.py LIST INDEX TREE BACKUP: apply mutant INDEX (0-based) in place, the
# original file saved as BACKUP, and print "file<TAB>tests";
# mutate.py LIST count: how many there are; mutate.py LIST name INDEX: its name.
cat >"$work/mutate.py" <<'PY'
import glob, os, re, sys

def blocks(path):
    out, cur = [], {}
    for line in open(path, encoding="utf-8").read().split("\n") + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                out.append(cur)
            cur = {}
            continue
        key, _, val = line.partition(":")
        cur[key.strip()] = val.strip()
    return out

def body(text, func):
    """(start, end) of each definition of func: its header to the closing brace at column 0."""
    spans = []
    for m in re.finditer(r"^[A-Za-z_][^\n;{}]*?\b%s\s*\(" % re.escape(func), text, re.M):
        rest = text[m.end():]
        brace, semi = rest.find("{"), rest.find(";")
        if brace < 0 or (0 <= semi < brace):
            continue  # a prototype or a call
        close = text.find("\n}", m.end() + brace)
        if close >= 0:
            spans.append((m.start(), close + 2))
    return spans

def main():
    muts = blocks(sys.argv[1])
    if sys.argv[2] == "count":
        print(len(muts))
        return 0
    if sys.argv[2] == "name":
        print(muts[int(sys.argv[3])].get("name", "mutant %s" % sys.argv[3]))
        return 0
    m, tree, backup = muts[int(sys.argv[2])], sys.argv[3], sys.argv[4]
    for k in ("name", "file", "func", "old", "new"):
        if k not in m:
            print("mutant %s: no '%s:' line" % (m.get("name", sys.argv[2]), k), file=sys.stderr)
            return 1
    pattern = r"\s+".join(re.escape(w) for w in m["old"].split())
    path = os.path.join(tree, m["file"])
    where = [path] if os.path.exists(path) else []
    if not where or not body(open(path, encoding="utf-8").read(), m["func"]):
        where = [p for p in sorted(glob.glob(os.path.join(tree, "engine", "*.c")))
                 if body(open(p, encoding="utf-8").read(), m["func"])]
        if len(where) == 1:
            print("  note: %s() is now in %s" % (m["func"], os.path.relpath(where[0], tree)),
                  file=sys.stderr)
    spans = None
    if not where:  # the function is gone (split or renamed): the expression alone, engine-wide
        where = [p for p in sorted(glob.glob(os.path.join(tree, "engine", "*.c")))
                 if re.search(pattern, open(p, encoding="utf-8").read())]
        if len(where) == 1:
            print("  note: no %s() any more; the expression is in %s" % (m["func"],
                  os.path.relpath(where[0], tree)), file=sys.stderr)
            spans = [(0, len(open(where[0], encoding="utf-8").read()))]
    if len(where) != 1:
        print("mutant '%s': function %s() (or the expression) found in %d files (wanted 1)"
              % (m["name"], m["func"], len(where)), file=sys.stderr)
        return 1
    text = open(where[0], encoding="utf-8").read()
    spans = spans or body(text, m["func"])
    hits = [(a + h.start(), a + h.end()) for a, b in spans
            for h in re.finditer(pattern, text[a:b])]
    if len(hits) != 1:
        print("mutant '%s': '%s' occurs %d times in %s() (wanted exactly 1)"
              % (m["name"], m["old"], len(hits), m["func"]), file=sys.stderr)
        return 1
    a, b = hits[0]
    open(backup, "w", encoding="utf-8").write(text)
    open(where[0], "w", encoding="utf-8").write(text[:a] + m["new"] + text[b:])
    print("%s\t%s" % (os.path.relpath(where[0], tree), m.get("tests", "test_grad test_ops")))
    return 0

sys.exit(main())
PY

build="$work/build"
log="$work/log"
cmake -S "$tree" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONVSCOPE_GUI=OFF >"$log" 2>&1 ||
  { cat "$log"; echo "mutants: configure failed" >&2; exit 2; }

# build_run TESTS...: build them (and the engine they link), run each; 0 if all pass
build_run() {
  local t
  nice cmake --build "$build" -j2 --target "$@" >"$log" 2>&1 || return 3
  for t in "$@"; do
    timeout 300 "$build/tests/$t" >>"$log" 2>&1 || return 1
  done
  return 0
}

total=$(python3 "$work/mutate.py" "$list" count)
all_tests=$(awk -F: '$1=="tests"{print $2}' "$list" | tr ' ' '\n' | sort -u | grep . || true)
all_tests=$(printf '%s\ntest_grad\ntest_ops\n' "$all_tests" | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086
if ! build_run $all_tests; then
  cat "$log"
  echo "mutants: the unmutated tree does not build or pass ($all_tests)" >&2
  exit 2
fi

caught=0
failed=0
for ((i = 0; i < total; i++)); do
  name=$(python3 "$work/mutate.py" "$list" name "$i")
  if ! out=$(python3 "$work/mutate.py" "$list" "$i" "$tree" "$work/orig"); then
    echo "NOT APPLIED  $name"
    failed=1
    continue
  fi
  file=${out%%$'\t'*}
  tests=${out#*$'\t'}
  rc=0
  # shellcheck disable=SC2086
  build_run $tests || rc=$?
  if [ "$rc" -eq 3 ]; then
    echo "NO BUILD     $name ($file): the mutant does not compile"
    tail -n 20 "$log"
    failed=1
  elif [ "$rc" -ne 0 ]; then
    echo "caught       $name"
    grep -m 1 -E 'analytic|got|CHECK failed|ERROR|Assertion' "$log" | cut -c1-150 | sed 's/^ */               /' || true
    caught=$((caught + 1))
  else
    echo "SURVIVED     $name ($file; ran $tests)"
    failed=1
  fi
  cp "$work/orig" "$tree/$file" # the original back
done

echo "$caught of $total mutants caught"
[ "$failed" -eq 0 ] && [ "$caught" -eq "$total" ]
