#!/usr/bin/env bash
# Command-line checks of the sgdyn binary given as $1: exit codes, messages, bundle layout.
set -uo pipefail
sgdyn=${1:?usage: cli-tests.sh PATH-TO-SGDYN}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check DESCRIPTION COMMAND...: the command must succeed
    local description=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $description"
        sed 's/^/    /' "$work/out"
    fi
}

# Every example validates.
for example in examples/*.json examples/*/*.json; do
    [ -e "$example" ] || continue
    check "validate $example" "$sgdyn" validate "$example"
done

# A bad job exits 65 and names the key.
printf '{"learning_rate": 0.1}' >"$work/bad.json"
check "bad job exits 65" bash -c "'$sgdyn' validate '$work/bad.json'; test \$? -eq 65"
check "bad job names the key" bash -c "'$sgdyn' validate '$work/bad.json' 2>&1 | grep -q \"key 'learning_rate': unknown key; did you mean 'lr'\""
printf '{\n "N": 500,\n}' >"$work/syntax.json"
check "syntax error has line and column" bash -c "'$sgdyn' run '$work/syntax.json' --outbox '$work/rejected-box' 2>&1 | grep -q 'line 3, column 1'"
check "a rejected run writes no bundle" bash -c "test ! -e '$work/rejected-box'"
# A file that cannot be read is one line naming it and the reason (exit 66), not an error dump;
# one over 1 MiB is refused before it is read whole.
check "missing job file exits 66 with the reason" bash -c "out=\$('$sgdyn' validate '$work/missing.json' 2>&1); test \$? -eq 66 && test \"\$out\" = 'error: $work/missing.json: cannot read it: No such file or directory'"
head -c 1048577 /dev/zero >"$work/huge.json"
check "a job file over 1 MiB is refused (exit 65)" bash -c "'$sgdyn' validate '$work/huge.json' 2>&1 | grep -q 'limited to 1 MiB'; test \${PIPESTATUS[0]} -eq 65"
printf '{"N": 50, "t_max": 1}' >"$work/homeless.json"
check "submit into a missing inbox exits 73 with the reason" bash -c "'$sgdyn' submit '$work/homeless.json' --inbox '$work/no-inbox' 2>&1 | grep -q 'cannot write it into $work/no-inbox: No such file or directory'; test \${PIPESTATUS[0]} -eq 73"

# A small run writes a complete bundle and prints its path.
printf '{"name": "smoke", "N": 50, "t_max": 2, "points": 5, "seeds": 2}' >"$work/smoke.json"
check "run writes a bundle" bash -c "'$sgdyn' run '$work/smoke.json' --outbox '$work/box' --quiet | grep -q '$work/box/smoke\$'"
for file in result.json job.json seed-0.csv seed-1.csv summary.csv log.txt index.html manifest.json; do
    check "bundle has $file" test -s "$work/box/smoke/$file"
done
check "result says done" grep -q '"status": "done"' "$work/box/smoke/result.json"
check "second run goes to smoke-2" bash -c "'$sgdyn' run '$work/smoke.json' --outbox '$work/box' --quiet | grep -q 'smoke-2\$'"
check "same job, same CSV bytes" cmp "$work/box/smoke/seed-1.csv" "$work/box/smoke-2/seed-1.csv"
# manifest.json names the folder the bundle is in, not the job (issue 18, item 8).
check "smoke-2's manifest says bundle smoke-2" grep -q '"bundle": "smoke-2"' "$work/box/smoke-2/manifest.json"
# A job named index.html never takes the outbox's own index page, so the report keeps working.
printf '{"name": "index.html", "N": 50, "t_max": 1, "points": 3, "seeds": 1}' >"$work/index.html.json"
check "a job named index.html goes to index.html-2 in a new outbox" bash -c "'$sgdyn' run '$work/index.html.json' --outbox '$work/newbox' --quiet | grep -q 'newbox/index.html-2\$'"
check "... and the outbox's index.html is the report's page" bash -c "test -f '$work/newbox/index.html' && grep -q 'index.html-2' '$work/newbox/index.html'"
check "... and sgdyn report runs again" "$sgdyn" report "$work/newbox" --quiet

# store_weights: numpy reads the .npy files, and W Wᵀ/N, W Bᵀ/N, v are the CSV's first and last rows.
printf '{"N": 80, "M": 2, "K": 3, "t_max": 3, "points": 10, "seeds": 2, "train_second_layer": true, "store_weights": true, "sweep": {"lr": [0.3, 0.6]}}' >"$work/weights.json"
check "store_weights bundle" bash -c "'$sgdyn' run '$work/weights.json' --outbox '$work/wbox' --quiet"
check "numpy reads the stored weights and they give Q, R, v of the CSV" python3 scripts/npy_check.py "$work/wbox/weights"

# teacher_from / student_from (issue 21, item 5): a run of that bundle's sweep point repeated from its
# stored teacher gives the same CSV; arrays numpy wrote are read; bad sources are refused (exit 65) naming the key.
printf '{"name": "again", "N": 80, "M": 2, "K": 3, "t_max": 3, "points": 10, "seeds": [1], "lr": 0.6, "train_second_layer": true, "store_weights": true, "teacher_from": "weights/lr=0.6/seed-1"}' >"$work/again.json"
check "teacher_from a sweep point's run" bash -c "'$sgdyn' run '$work/again.json' --outbox '$work/wbox' --quiet"
check "... repeats that run: the same CSV bytes" cmp "$work/wbox/weights/lr=0.6/seed-1.csv" "$work/wbox/again/seed-1.csv"
check "... and stores the same teacher" cmp "$work/wbox/weights/lr=0.6/weights/seed-1/B.npy" "$work/wbox/again/weights/seed-1/B.npy"
check "... and result.json names the files it read" grep -q '"path": "weights/lr=0.6/weights/seed-1/B.npy"' "$work/wbox/again/result.json"
mkdir -p "$work/wbox/numpy/weights/seed-0" "$work/wbox/nan/weights/seed-0"
python3 -c "
import numpy as np, sys
rng = np.random.default_rng(5)
np.save(sys.argv[1] + '/numpy/weights/seed-0/B.npy', rng.standard_normal((2, 80)))
np.save(sys.argv[1] + '/numpy/weights/seed-0/vstar.npy', np.ones(2))
bad = rng.standard_normal((2, 80)); bad[1, 3] = np.nan
np.save(sys.argv[1] + '/nan/weights/seed-0/B.npy', bad)
np.save(sys.argv[1] + '/nan/weights/seed-0/vstar.npy', np.ones(2))
" "$work/wbox"
printf '{"name": "fromnumpy", "N": 80, "M": 2, "K": 3, "t_max": 1, "points": 4, "teacher_from": "numpy/seed-0"}' >"$work/fromnumpy.json"
check "teacher_from arrays numpy.save wrote" bash -c "'$sgdyn' run '$work/fromnumpy.json' --outbox '$work/wbox' --quiet"
ln -s "$work/wbox/numpy" "$work/wbox/linked"
for bad in "nan/seed-0:non-finite value" "linked/seed-0:linked is a symbolic link" "../wbox/numpy/seed-0:component" "$work/wbox/numpy/seed-0:absolute path" "numpy/seed-9:does not exist"; do
    printf '{"name": "bad", "N": 80, "M": 2, "K": 3, "t_max": 1, "teacher_from": "%s"}' "${bad%%:*}" >"$work/bad.json"
    check "teacher_from ${bad%%:*} is refused naming the key (exit 65)" bash -c "out=\$('$sgdyn' run '$work/bad.json' --outbox '$work/wbox' --quiet 2>&1); test \$? -eq 65 && echo \"\$out\" | grep -q \"key 'teacher_from'.*${bad#*:}\""
done
printf '{"name": "bad", "N": 81, "M": 2, "K": 3, "t_max": 1, "teacher_from": "numpy/seed-0"}' >"$work/bad.json"
check "teacher_from of another N is refused naming the key and both shapes" bash -c "'$sgdyn' run '$work/bad.json' --outbox '$work/wbox' --quiet 2>&1 | grep -q \"key 'teacher_from'.*has shape (2, 80), but the job needs (2, 81)\""
# validate reads the same files with --outbox (and says it did not without it).
check "validate --outbox refuses the same wrong-N source naming the key (exit 65)" bash -c "out=\$('$sgdyn' validate '$work/bad.json' --outbox '$work/wbox' 2>&1); test \$? -eq 65 && echo \"\$out\" | grep -q \"key 'teacher_from'.*has shape (2, 80), but the job needs (2, 81)\""
check "validate without --outbox checks the form only, and says so" bash -c "out=\$('$sgdyn' validate '$work/bad.json' 2>&1); test \$? -eq 0 && echo \"\$out\" | grep -q 'not read (give --outbox DIR'"
check "validate --outbox accepts a source that fits" bash -c "'$sgdyn' validate '$work/fromnumpy.json' --outbox '$work/wbox' | grep -q '^ok:'"

# A teacher given by its Hermite coefficients (docs/job-files.md): run as a compare job, named
# Hermite(…) on the plots and the page, echoed in its JSON form; refused for the student.
printf '{"kind": "compare", "N": 100, "M": 1, "K": 1, "teacher_activation": {"hermite": [0, 0.5, 0, 1, 0]}, "student_activation": "erf", "t_max": 2, "points": 8}' >"$work/hermite.json"
check "a Hermite-teacher compare job runs" bash -c "'$sgdyn' run '$work/hermite.json' --outbox '$work/hbox' --quiet"
check "... its plot and page say Hermite(0, 0.5, 0, 1)" bash -c "grep -q 'teacher Hermite(0, 0.5, 0, 1), student erf' '$work/hbox/hermite/eg.svg' && grep -q 'Hermite(0, 0.5, 0, 1)' '$work/hbox/hermite/index.html'"
check "... and result.json echoes the canonical coefficients" python3 -c "import json,sys; j=json.load(open('$work/hbox/hermite/result.json'))['job']; sys.exit(0 if j['teacher_activation'] == {'hermite': [0, 0.5, 0, 1]} else 1)"
printf '{"student_activation": {"hermite": [0, 1]}}' >"$work/hermite-student.json"
check "a Hermite student is refused naming the key" bash -c "'$sgdyn' validate '$work/hermite-student.json' 2>&1 | grep -q \"key 'student_activation': a Hermite expansion can only be the teacher's\""

# sgdyn run --data: a data set as CSV files beneath DIR (a real data set instead of a teacher).
mkdir -p "$work/data/set"
python3 - "$work/data/set" <<'PY'
import random, sys
rng = random.Random(3)
w = [rng.gauss(0, 1) for _ in range(10)]
for name, rows in (("train", 200), ("test", 100)):
    xs = [[rng.gauss(0, 1) for _ in range(10)] for _ in range(rows)]
    with open(f"{sys.argv[1]}/{name}_x.csv", "w") as f:
        f.write("".join(",".join(repr(v) for v in x) + "\n" for x in xs))
    with open(f"{sys.argv[1]}/{name}_y.csv", "w") as f:
        f.write("".join(("1" if sum(a * b for a, b in zip(x, w)) >= 0 else "-1") + "\n" for x in xs))
PY
printf '{"name": "csvdata", "N": 10, "K": 2, "task": "classify", "t_max": 5, "points": 6, "data": {"train_inputs": "set/train_x.csv", "train_labels": "set/train_y.csv", "test_inputs": "set/test_x.csv", "test_labels": "set/test_y.csv"}}' >"$work/csvdata.json"
check "run --data writes a data-set bundle" bash -c "'$sgdyn' run '$work/csvdata.json' --data '$work/data' --outbox '$work/dbox' --quiet"
check "... whose CSV has cerr and no R columns" bash -c "head -1 '$work/dbox/csvdata/seed-0.csv' | grep -qx 't,eg,Q11,Q12,Q22,v1,v2,et,cerr,cerr_train,step'"
check "without --data the job is rejected naming data (exit 65)" bash -c "'$sgdyn' run '$work/csvdata.json' --outbox '$work/dbox2' 2>&1 | grep -q \"key 'data': no data folder is configured\"; test \${PIPESTATUS[0]} -eq 65"
check "validate --data reads the headers" bash -c "'$sgdyn' validate '$work/csvdata.json' --data '$work/data' | grep -q '^ok:'"
mkdir -p "$work/data-inbox"
check "submit leaves a data job's files to the daemon's data_folder" bash -c "'$sgdyn' submit '$work/csvdata.json' --inbox '$work/data-inbox' | grep -q \"as job 'csvdata'\" && test -f '$work/data-inbox/csvdata.json'"
ln -s "$work/data/set" "$work/data/link"
sed 's#set/train_x.csv#link/train_x.csv#' "$work/csvdata.json" >"$work/linked.json"
check "a path through a symbolic link is rejected naming data.train_inputs" bash -c "'$sgdyn' validate '$work/linked.json' --data '$work/data' 2>&1 | grep -q \"key 'data.train_inputs'.*symbolic link\""

# The end-to-end scripts build on one harness library, with no import loop and no SQL of their own.
check "scripts: no import loop, the library imports no script, no SQL from Python (scripts/check_scripts.py)" python3 -B scripts/check_scripts.py

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
