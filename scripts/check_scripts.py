#!/usr/bin/env python3
"""Checks the shape of the end-to-end scripts' Python (run by scripts/cli-tests.sh; exit 0 when
it holds, else one line per problem):

- the imports among scripts/*.py and the harness library scripts/sgdyn_harness/ have no loop;
- the library imports nothing from scripts/ but result_fields.py (every script builds on it, it
  builds on none of them);
- no step's entry point is imported by another script (a benchmark imports the library, not a
  test step); the daemon step's scenario modules are imported only by daemon_tests.py;
- no Python here opens the job store: no `import sqlite3`, and the `sqlite3` command line tool
  only in sgdyn_harness/store.py (which names no table). State is read through
  `sgdyn status --json`, so the scripts do not depend on the store's schema.
"""

import ast
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = "sgdyn_harness"
# Scripts run as steps or benchmarks (their `main()`): nothing imports them.
ENTRY_POINTS = {"daemon_tests", "slurm_tests", "report_tests", "daemon_bench", "slurm_bench", "report_bench",
                "limits_measure", "examples_check", "npy_check", "png_check", "compare_bundles", "check_scripts"}
# The daemon step's scenario modules, and who may import them.
SCENARIO_MODULES = {"daemon_robustness": {"daemon_tests"}, "daemon_users": {"daemon_tests"}}
SQLITE_TOOL_ALLOWED = {f"{LIBRARY}.store"}


def modules():
    """{module name: path} of scripts/*.py and the library's files (as sgdyn_harness.NAME)."""
    found = {}
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".py"):
            found[name[:-3]] = os.path.join(HERE, name)
    for name in sorted(os.listdir(os.path.join(HERE, LIBRARY))):
        if name.endswith(".py"):
            stem = name[:-3]
            found[LIBRARY if stem == "__init__" else f"{LIBRARY}.{stem}"] = os.path.join(HERE, LIBRARY, name)
    return found


def imports_of(module, tree, known):
    """The modules of `known` that `tree` imports (relative imports resolved inside the library)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .core import …: inside the library
                names = [f"{LIBRARY}.{node.module}" if node.module else LIBRARY]
            else:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        out |= {name for name in names if name in known and name != module}
    return out


def main():
    known = modules()
    problems = []
    graph = {}
    for module, path in known.items():
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        graph[module] = imports_of(module, tree, known)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "sqlite3" for alias in node.names) \
                    or isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlite3":
                problems.append(f"{module}: imports sqlite3 (read the store through `sgdyn status --json`)")
            if isinstance(node, ast.Constant) and node.value == "sqlite3" and module not in SQLITE_TOOL_ALLOWED \
                    and module != "check_scripts":
                problems.append(f"{module}: runs the sqlite3 tool (only {LIBRARY}/store.py may, naming no table)")
    for module, imported in graph.items():
        if module == LIBRARY or module.startswith(LIBRARY + "."):
            outside = {name for name in imported if not name.startswith(LIBRARY) and name != "result_fields"}
            if outside:
                problems.append(f"{module}: the library imports scripts {sorted(outside)}")
        for name in imported & ENTRY_POINTS:
            problems.append(f"{module}: imports the entry point {name} (import the library instead)")
        for name, allowed in SCENARIO_MODULES.items():
            if name in imported and module not in allowed:
                problems.append(f"{module}: imports the scenario module {name} (only {sorted(allowed)} may)")
    # A loop: depth-first search for a back edge.
    state = {}

    def visit(module, stack):
        state[module] = "open"
        for name in sorted(graph[module]):
            if state.get(name) == "open":
                problems.append("import loop: " + " → ".join(stack[stack.index(name):] + [name]))
            elif name not in state:
                visit(name, stack + [name])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
