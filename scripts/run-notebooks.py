#!/usr/bin/python3
"""Runs Jupyter notebooks headless on the project-local tslab kernel, the way CI does.

  /usr/bin/python3 scripts/run-notebooks.py [--etcd ENDPOINTS | --snapshot FILE] [--output-dir DIR]
      [--cwd DIR] [--timeout SECONDS] [--kernel NAME] NOTEBOOK_OR_FOLDER...

Each notebook runs top to bottom in a fresh kernel. A notebook stops at its first failing cell; the
cell's source and what tslab wrote to its stderr (the only place tslab puts the real error) are printed.
The last line is `N passed, N failed`; the exit code is 1 when any notebook failed, 2 on a usage error.

- `--etcd` sets KUBETCD_ETCD and `--snapshot` KUBETCD_SNAPSHOT for the kernel; KUBETCD_SOURCE, which
  `open()` with no target reads, is the etcd when given, else the snapshot. Both may be given (the same
  cluster live and saved), so a notebook can compare them.
- `--output-dir` writes each executed notebook there (also a failed one), so tests can check outputs.
- `--cwd` is the kernel's working folder (default: the notebook's own folder), which relative imports
  such as `'../dist'` are resolved from.
The kernel is found through JUPYTER_PATH=<repo>/jupyter (nothing is installed globally). Needs Debian's
python3-nbclient (scripts/setup.sh installs it). Never run notebooks with errors allowed: tslab drops the
requests that follow a failing cell, so later cells would run empty and pass.
"""
import argparse
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail_usage(message):
    sys.stderr.write(f"run-notebooks: {message}\n")
    sys.exit(2)


def find_notebooks(paths):
    found = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith(".ipynb") and not name.startswith("."):
                    found.append(os.path.join(p, name))
        elif os.path.isfile(p) and p.endswith(".ipynb"):
            found.append(p)
        else:
            fail_usage(f"no notebook at {p!r}: pass .ipynb files or folders holding them.")
    return found


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.rstrip("\n").split("\n"))


def cell_stderr(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
            parts.extend(out.get("traceback", []))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def run_one(path, args):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    rel = os.path.relpath(path)
    name = path if rel.startswith("..") else rel
    nb = nbformat.read(path, as_version=4)
    cwd = os.path.abspath(args.cwd) if args.cwd else os.path.dirname(os.path.abspath(path))
    kernel = args.kernel or nb.metadata.get("kernelspec", {}).get("name") or "tslab"
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=60,
        kernel_name=kernel,
        allow_errors=False,
        resources={"metadata": {"path": cwd}},
    )
    started = time.monotonic()
    failure = None
    executed = 0
    try:
        client.reset_execution_trackers()
        with client.setup_kernel():
            info = client.wait_for_reply(client.kc.kernel_info())
            nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index, execution_count=executed + 1)
                    executed += 1
                except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
                    kind = "timed out" if isinstance(e, CellTimeoutError) else "kernel died" if isinstance(e, DeadKernelError) else "failed"
                    stderr = cell_stderr(cell)
                    failure = f"cell {index + 1} {kind}:\n{indent(cell.source)}\n"
                    failure += f"  its stderr:\n{indent(stderr)}\n" if stderr.strip() else f"  ({type(e).__name__}: {str(e).strip()[:2000]})\n"
                    break
    except Exception as e:  # the kernel did not start, or the notebook is not valid
        failure = f"{type(e).__name__}: {e}"
    seconds = time.monotonic() - started
    if args.output_dir:
        os.makedirs(args.output_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(args.output_dir, os.path.basename(path)))
    if failure is None:
        print(f"PASS {name} ({executed} cells, {seconds:.1f} s)", flush=True)
        return True
    print(f"FAIL {name} ({seconds:.1f} s): {failure}", flush=True)
    return False


def main():
    ap = argparse.ArgumentParser(description="Run notebooks headless on the project-local tslab kernel.")
    ap.add_argument("notebooks", nargs="+", help=".ipynb files or folders holding them")
    ap.add_argument("--etcd", help="etcd endpoints (KUBETCD_ETCD; KUBETCD_SOURCE for open())")
    ap.add_argument("--snapshot", help="a snapshot file (KUBETCD_SNAPSHOT; KUBETCD_SOURCE unless --etcd)")
    ap.add_argument("--output-dir", help="write executed notebooks here")
    ap.add_argument("--cwd", help="the kernel's working folder (default: each notebook's folder)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds one cell may run (default 120)")
    ap.add_argument("--kernel", help="kernel name (default: the notebook's, else tslab)")
    args = ap.parse_args()

    try:
        import nbclient  # noqa: F401
    except ImportError:
        fail_usage(
            "nbclient is missing from /usr/bin/python3. Run `bash scripts/setup.sh` "
            "(it installs Debian's python3-nbclient and jupyter-notebook)."
        )
    if args.snapshot and not os.path.isfile(args.snapshot):
        fail_usage(f"no snapshot file at {args.snapshot!r}.")
    if not os.path.isfile(os.path.join(REPO, "node_modules", "tslab", "bin", "tslab")):
        fail_usage("tslab is not installed in node_modules. Run `npm ci` (or `bash scripts/setup.sh`).")

    jupyter_path = os.path.join(REPO, "jupyter")
    os.environ["JUPYTER_PATH"] = jupyter_path + (os.pathsep + os.environ["JUPYTER_PATH"] if os.environ.get("JUPYTER_PATH") else "")
    if args.snapshot:
        os.environ["KUBETCD_SNAPSHOT"] = os.path.abspath(args.snapshot)
        os.environ["KUBETCD_SOURCE"] = os.path.abspath(args.snapshot)
    if args.etcd:
        os.environ["KUBETCD_ETCD"] = args.etcd
        os.environ["KUBETCD_SOURCE"] = args.etcd

    notebooks = find_notebooks(args.notebooks)
    passed = failed = 0
    for path in notebooks:
        if run_one(path, args):
            passed += 1
        else:
            failed += 1
    if not notebooks:
        sys.stderr.write("run-notebooks: no notebooks found in " + ", ".join(args.notebooks) + "\n")
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
