"""Execute one notebook top to bottom in a fresh kernel with nbclient.

Usage: python nbexec.py IN.ipynb OUT.ipynb [--kernel tslab] [--cell-timeout S]
       [--startup-timeout S] [--cwd DIR]

Writes the executed notebook to OUT and exits 0; exits 2 if the kernel could
not be started twice in a row. tslab reports a failed cell by the status of
its execute_reply (the message goes to stderr, with no error output), so the
failures are listed in OUT's metadata["ipc-lab"]["failures"] as
{"cell": index, "reason": ...}; execution stops at the first failure of a
cell not tagged "raises-exception". A cell over its time limit is interrupted
and reported with reason "timeout".
"""

import argparse
import asyncio
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


def parse_args(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--cell-timeout", type=int, default=60)
    parser.add_argument("--startup-timeout", type=int, default=20)
    parser.add_argument("--cwd", default=None)
    return parser.parse_args(argv)


class Client(NotebookClient):
    """Records each failed cell instead of raising."""

    failures = None
    timed_out = False

    async def _async_handle_timeout(self, timeout, cell=None):
        # nbclient interrupts the kernel; the cell then ends with an error reply.
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        status = exec_reply["content"]["status"] if exec_reply is not None else "ok"
        if self.timed_out:
            self.timed_out = False
            self.failures.append({"cell": cell_index, "reason": f"timeout (over {self.timeout} s; interrupted)"})
        elif status == "error":
            expected = "raises-exception" in cell.metadata.get("tags", [])
            self.failures.append({"cell": cell_index, "reason": "error", "expected": expected})
            # After an error tslab aborts whatever reaches it in the next
            # 200 ms (its queue reset, tslab issue #19): let that pass.
            await asyncio.sleep(0.3)
        elif status == "aborted":
            self.failures.append({"cell": cell_index, "reason": "aborted by the kernel"})


def merge_streams(outputs):
    """Joins consecutive stream outputs of one name and drops empty ones, as
    JupyterLab shows them, so stored notebooks stay small and diffable."""
    merged = []
    for output in outputs:
        if output.output_type == "stream":
            if not output.text:
                continue
            if merged and merged[-1].output_type == "stream" and merged[-1].name == output.name:
                merged[-1].text += output.text
                continue
        merged.append(output)
    return merged


async def start_kernel(client):
    """tslab's kernel start hangs about once in 30 (EBUSY while binding its
    sockets): give it a time-out and one retry."""
    for attempt in (1, 2):
        client.km = client.create_kernel_manager()
        try:
            await client.async_start_new_kernel()
            await client.async_start_new_kernel_client()
            return
        except Exception as error:  # noqa: BLE001 - any start failure gets the retry
            print(f"nbexec: kernel start failed (attempt {attempt}): {error}", file=sys.stderr)
            try:
                await client.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001
                pass
            client.km = None
            client.kc = None
    sys.exit(2)


async def execute(args):
    nb = nbformat.read(args.source, as_version=4)
    client = Client(
        nb,
        kernel_name=args.kernel,
        timeout=args.cell_timeout,
        startup_timeout=args.startup_timeout,
        allow_errors=False,
        interrupt_on_timeout=True,
        record_timing=False,
        resources={"metadata": {"path": args.cwd}} if args.cwd else {},
    )
    client.failures = failures = []
    await start_kernel(client)
    async with client.async_setup_kernel():
        client.reset_execution_trackers()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellTimeoutError:
                failures.append({"cell": index, "reason": "timeout", "seconds": args.cell_timeout})
            except DeadKernelError as error:
                failures.append({"cell": index, "reason": f"kernel died: {error}"})
            if any(not failure.get("expected") for failure in failures):
                break
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nb.metadata["ipc-lab"] = {"failures": failures}
    nbformat.write(nb, args.target)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    asyncio.run(execute(args))


if __name__ == "__main__":
    main()
