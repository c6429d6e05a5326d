"""The trusted side of grading one submission: its sandboxed worker and its test cases.

``grade.py`` reads the notebook as data (nbformat) and, per question, builds the answer
module from the source (``methods.check``: the answer's functions, their helpers, the
module-level names and imports they use, exactly what the method and integrity checks read).
A ``Session`` starts ONE sandbox per submission (``runner.py`` in ``sandbox.py``'s sandbox),
whose zygote forks, per question, a fresh child that runs only that module; the assignment's
otter test cases then run HERE, in the grader's process: each student name a test takes is
either a ``Remote`` function (calling it sends the arguments to the child and returns what came
back, decoded by ``codec.py`` as plain data) or the plain value of a module-level name. No
student code runs in this process and nothing from the worker is unpickled. Once every score is
decided, one more child runs the notebook's cells in order, only to report their errors.

A call that runs past its time limit or ends the child fails that test case; the child (and
the sandbox, if needed) is started again with the same module, a few times per question, and
grading goes on within a time budget for the whole notebook.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import codec, sandbox
from .messages import ENGLISH, Messages

GRACE = 2.0  # seconds the grader waits past the limit the worker enforces itself
MAX_RESTARTS = 2  # fresh processes per question after the first
MAX_TEXT = 300
OTTER_LINES = re.compile(
    r"^\s*(import otter|grader\s*=\s*otter\.Notebook\(.*\)|grader\.check(_all)?\(.*\))\s*$"
)


class WorkerFailed(Exception):
    """The worker hung, ended, or broke the protocol; it has been stopped."""


class StudentError(Exception):
    """The student's code raised, or returned something that is not plain data."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Limits:
    cell_timeout: float = 30.0
    call_timeout: float = 10.0
    notebook_timeout: float = 300.0
    memory_mb: int = 4096
    file_mb: int = 64
    tmp_mb: int = 256
    processes: int = 64
    sandboxed: bool = True  # bubblewrap
    # Without bubblewrap, as root: the uid that runs student code (``sandbox.NOBODY``), in a
    # private working folder, in a network namespace of its own if ``unshare_net``.
    user: int | None = None
    unshare_net: bool = False
    report_cells: bool = True  # run the whole notebook after grading, to report its errors


class Worker:
    """One sandboxed runner process and its channel."""

    def __init__(self, limits: Limits) -> None:
        separate = limits.sandboxed or limits.user is not None
        config = {
            "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb,
            "processes": limits.processes,
            "cpu_seconds": int(limits.notebook_timeout) + 5,
            "uid": sandbox.NOBODY if limits.sandboxed else limits.user,
            "kill_all": separate,  # its own PID namespace, or a user for student code only
        }
        userns = None
        self.workdir = None
        env, cwd, preexec = None, None, None
        if limits.sandboxed:
            userns = sandbox.user_namespace() if os.getuid() == 0 else None
            argv = sandbox.command(userns_fd=userns, tmp_mb=limits.tmp_mb)
        else:
            argv = sandbox.direct_command()
            cwd = "/tmp"
            if limits.user is not None:
                self.workdir = sandbox.private_folder(limits.user)
                cwd = self.workdir
            env = dict(sandbox.ENVIRONMENT, HOME=cwd, TMPDIR=cwd)
            if limits.unshare_net:
                preexec = sandbox.unshare_network
        try:
            self.process = subprocess.Popen(
                [*argv, json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=() if userns is None else (userns,),
                start_new_session=True,
                env=env,
                cwd=cwd,
                preexec_fn=preexec,
            )
        finally:
            if userns is not None:
                os.close(userns)
        self.buffer = b""

    def request(self, message: dict, timeout: float) -> dict:
        try:
            self.process.stdin.write(codec.dumps(message))
            self.process.stdin.flush()
        except OSError:
            self.stop()
            raise WorkerFailed("the worker process had ended") from None
        return self.receive(timeout)

    def receive(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise WorkerFailed(f"no answer within {timeout:g} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                self.stop()
                raise WorkerFailed("the worker process ended")
            self.buffer += chunk
            if len(self.buffer) > codec.MAX_LINE:
                self.stop()
                raise WorkerFailed("an answer larger than the channel allows")
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            return codec.loads(line)
        except (ValueError, codec.NotPlainData):
            self.stop()
            raise WorkerFailed("an unreadable answer") from None

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill the worker: bwrap, and with it (``--die-with-parent``) the whole sandbox."""
        if self.process.poll() is None:
            _note_cpu(self.process.pid)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.process.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


CPU_SECONDS = [0.0]  # CPU time of the workers stopped so far (for make grade-bench)
_CPU_LOCK = threading.Lock()


def _note_cpu(pid: int) -> None:
    """Add the CPU time of ``pid`` and its descendants (bwrap, the runner...) to CPU_SECONDS."""
    ticks, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError, IndexError):
            continue
    with _CPU_LOCK:
        CPU_SECONDS[0] += ticks / os.sysconf("SC_CLK_TCK")


def code_cells(nb: Any) -> list[tuple[int, str]]:
    """(index, source) of the code cells to run, otter's own lines left out."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if not OTTER_LINES.match(line)]
        source = "\n".join(lines)
        if source.strip():
            cells.append((index, source))
    return cells


def clip(text: Any, limit: int = MAX_TEXT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: Any, small: int = 25, say: Messages = ENGLISH) -> str:
    """A short description of a value for feedback: shape and dtype, values when small."""
    import torch

    if type(value) is torch.Tensor:
        dtype = str(value.dtype).removeprefix("torch.")
        head = say("tensor", shape=tuple(value.shape), dtype=dtype)
        if value.numel() <= small:
            return f"{head}: {value.tolist()}"
        return head
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v, small, say) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return clip(repr(value), 80)


@dataclass
class Session:
    """Grading state of one submission: its sandbox (the zygote), the child that runs the
    current answer, and what happened."""

    limits: Limits
    deadline: float
    worker: Worker | None = None
    module: str | None = None  # the answer module the current child runs
    counter: str | None = None  # the name through which its loops count (methods.instrument)
    # Per call of the current question that returned: (name, {loop: times its body ran},
    # values in the result).
    loop_runs: list[tuple[str, dict[int, int], int]] = field(default_factory=list)
    child: bool = False  # whether a child is running
    errors: list[dict] = field(default_factory=list)
    restarts: int = 0
    question_restarts: int = 0
    calls: list[str] = field(default_factory=list)
    say: Messages = field(default_factory=Messages)  # the language of what the student is told

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def ensure_worker(self) -> Worker:
        """A live zygote (a new sandbox if the last one ended)."""
        if self.worker is not None and self.worker.alive():
            return self.worker
        if self.worker is not None:
            self.worker.stop()
            self.restarts += 1
        if self.left() <= 0:
            raise WorkerFailed("the notebook's time budget is spent")
        self.worker = Worker(self.limits)
        self.child = False
        try:
            self.worker.receive(min(120.0, max(self.left(), 1.0)))  # "ready"
        except WorkerFailed as e:
            raise WorkerFailed(f"the worker did not start: {e}") from None
        return self.worker

    def fork(self, module: str | None, counter: str | None = None) -> dict:
        """End the current child; start one that runs ``module`` (None: nothing) and nothing
        else, its loops counted through ``counter``. Returns what running the module gave
        (``{"ok": false, ...}`` if it raised)."""
        self.end_child()
        self.module, self.counter = module, counter
        worker = self.ensure_worker()
        limit = min(self.limits.cell_timeout, max(self.left(), 0.5))
        message = {"op": "fork", "source": module, "timeout": limit, "counter": counter}
        answer = worker.request(message, limit + GRACE)
        if answer.get("ended") or not answer.get("forked"):
            raise WorkerFailed("the process running your code ended while loading it")
        self.child = True
        return answer

    def ensure_child(self) -> Worker:
        """The zygote, with a live child running the current module (restarted if needed)."""
        while not (self.child and self.worker is not None and self.worker.alive()):
            self.question_restarts += 1
            if self.question_restarts > MAX_RESTARTS:
                raise WorkerFailed("the worker was restarted too often for this question")
            self.fork(self.module, self.counter)
        return self.worker

    def end_child(self, timeout: float = 10.0) -> None:
        if self.child and self.worker is not None and self.worker.alive():
            try:
                answer = self.worker.request({"op": "end"}, timeout)
                if not answer.get("ended"):
                    self.worker.stop()
            except WorkerFailed:
                pass
        self.child = False

    def request(self, message: dict, timeout: float) -> dict:
        worker = self.ensure_child()
        try:
            answer = worker.request(message, timeout)
        except WorkerFailed:
            self.child = False
            raise
        if answer.get("ended"):
            self.child = False
            raise WorkerFailed("the process running your code ended")
        return answer

    def question(self, module: str, counter: str | None = None) -> dict:
        """Start the fresh process of one question: only its answer module runs in it."""
        self.question_restarts = 0
        self.loop_runs = []
        return self.fork(module, counter)

    def report_cells(self, cells: list[tuple[int, str]]) -> None:
        """Run the notebook's cells in order in a fresh child, only to report their errors
        (after the scores are decided: nothing here changes a score). A cell that hangs or
        ends the process is skipped and the cells are run again without it."""
        try:
            self._report_cells(cells)
        finally:
            self.errors = _first_per_cell(self.errors)  # a cell run again reports once

    def _report_cells(self, cells: list[tuple[int, str]]) -> None:
        skipped: set[int] = set()
        while self.left() > 0:
            try:
                self.fork(None)
                for index, source in cells:
                    if index in skipped:
                        continue
                    limit = min(self.limits.cell_timeout, max(self.left(), 0.5))
                    message = {"op": "cell", "index": index, "source": source, "timeout": limit}
                    try:
                        answer = self.request(message, limit + GRACE)
                    except WorkerFailed as e:
                        reason = (
                            self.say("cell_hung")
                            if "no answer" in str(e)
                            else self.say("cell_ended", reason=e)
                        )
                        skipped.add(index)
                        self.errors.append({"cell": index, "error": "CellStopped",
                                            "message": reason})  # fmt: skip
                        break
                    if not answer.get("ok"):
                        name = clip(answer.get("error", "Error"), 60)
                        note = self.say("cell_timeout_note") if name == "Timeout" else ""
                        self.errors.append(
                            {
                                "cell": index,
                                "error": name,
                                "message": clip(answer.get("message", "")) + note,
                            }
                        )
                else:
                    return
            except WorkerFailed:
                return
        message = self.say("budget_out")
        self.errors.append({"cell": -1, "error": "Timeout", "message": message})

    def kinds(self, names: list[str]) -> dict[str, str]:
        answer = self.request({"op": "kinds", "names": names}, 10.0)
        kinds = answer.get("kinds") if answer.get("ok") else None
        if type(kinds) is not dict:
            raise WorkerFailed("an unreadable answer")
        return {
            n: kinds.get(n) if kinds.get(n) in ("function", "value") else "missing" for n in names
        }

    def value(self, name: str) -> Any:
        answer = self.request({"op": "get", "name": name}, 10.0)
        if not answer.get("ok"):
            raise StudentError(
                f"{name}: {clip(answer.get('message', ''), 200)}", clip(answer.get("error"), 60)
            )
        return codec.decode(answer["value"])

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        timeout = min(self.limits.call_timeout, max(self.left(), 0.5))
        message = {
            "op": "call",
            "name": name,
            "args": [codec.encode(a) for a in args],
            "kwargs": {k: codec.encode(v) for k, v in kwargs.items()},
            "timeout": timeout,
        }
        shown = [describe(a, say=self.say) for a in args]
        shown += [f"{k}={describe(v, say=self.say)}" for k, v in kwargs.items()]
        call_text = f"{name}({', '.join(shown)})"
        try:
            answer = self.request(message, timeout + GRACE)
        except WorkerFailed as e:
            self.calls.append(f"{call_text}: no result ({e})")
            raise WorkerFailed(self.say("call_no_result", name=name, reason=e)) from None
        if not answer.get("ok"):
            kind = clip(answer.get("error", "Error"), 60)
            if kind == "Timeout":
                text = self.say("call_timeout", name=name, seconds=timeout)
            elif kind == "NotPlainData":
                text = self.say(
                    "call_not_plain", name=name, what=clip(answer.get("message", ""), 200)
                )
            else:
                message = clip(answer.get("message", ""), 200)
                text = self.say("call_raised", name=name, kind=kind, message=message)
            self.calls.append(f"{call_text}: {text}")
            raise StudentError(text, kind)
        value = codec.decode(answer["value"])
        if self.counter is not None:
            self.loop_runs.append((name, _loop_counts(answer.get("loops")), count_values(value)))
        # The grader's arguments are never changed (the child works on copies), so a test
        # that computes its reference after the call uses the input it made. An argument the
        # call modified in place fails the test case: every question asks for that.
        changed = answer.get("changed")
        if changed:
            shown = ", ".join(
                self.say("argument", n=int(k) + 1) if k.isdigit() else f"`{clip(k, 40)}`"
                for k in list(changed)[:4]
            )
            text = self.say("modified", name=name, which=shown)
            self.calls.append(f"{call_text}: {text}")
            raise StudentError(text, "ModifiedInput")
        self.calls.append(
            self.say("call_returned", call=call_text, value=describe(value, say=self.say))
        )
        return value

    def close(self) -> None:
        """End the child, then the zygote. Ended this way, the child is reaped by the zygote,
        which kills what it left (``runner.Zygote.clean_up``); killed with the zygote, outside
        a PID namespace (the Gradescope fallback) it would outlive it as an orphan, killed
        only by ``sandbox.kill_user`` after grading, which then waited for the system's init
        to reap it (1 to 2 s)."""
        if self.worker is not None:
            self.end_child(timeout=2.0)
            self.worker.stop()


def count_values(value: Any) -> int:
    """How many values a result holds: a tensor's elements, 1 for a number or a string, 0 for
    ``None``, the sum over a tuple or list (a call with nothing to compute need not loop)."""
    import torch

    if value is None:
        return 0
    if type(value) is torch.Tensor:
        return value.numel()
    if isinstance(value, (tuple, list)):
        return sum(count_values(v) for v in value)
    return 1


def _loop_counts(data: Any) -> dict[int, int]:
    """The runner's ``[[loop, times], ...]`` as a dict; anything malformed counts as none."""
    if type(data) is not list:
        return {}
    counts = {}
    for item in data:
        if type(item) is list and len(item) == 2 and all(type(v) is int for v in item):
            counts[item[0]] = item[1]
    return counts


def loops_not_run(
    requirements: list[dict], runs: list[tuple[str, dict[int, int], int]]
) -> list[tuple[dict, int, int, bool]]:
    """(requirement, calls that looped too little, calls, whether none of those looped at all)
    for each rule met only by loops
    (``methods.loop_requirements``) that a call of its functions broke: it returned a value
    while the rule's loops entered their bodies not at all, or, for a rule with
    ``per_value``, fewer times than the result has values (loops over the output positions
    run at least once per output). The source said the loops could run; the run says how
    often they did."""
    idle = []
    for requirement in requirements:
        loops = set(requirement["loops"])
        calls = [r for r in runs if r[0] in requirement["functions"] and r[2] > 0]
        needed = (lambda values: values) if requirement.get("per_value") else (lambda values: 1)
        runs_of = [(r, sum(r[1].get(k, 0) for k in loops)) for r in calls]
        short = [n for r, n in runs_of if n < needed(r[2])]
        if short:
            idle.append((requirement, len(short), len(calls), short.count(0) == len(short)))
    return idle


def _first_per_cell(errors: list[dict]) -> list[dict]:
    seen, kept = set(), []
    for e in errors:
        if e["cell"] not in seen:
            seen.add(e["cell"])
            kept.append(e)
    return kept


class Remote:
    """A student's function, called through the channel."""

    def __init__(self, session: Session, name: str) -> None:
        self._session, self._name = session, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<student function {self._name}>"


class Unavailable:
    """Stands in for a student name that is missing or not plain data: any use fails."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise StudentError(self._reason, "Missing")  # made here: its text may be shown

    __call__ = __getattr__ = __getitem__ = __iter__ = __bool__ = __len__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __neg__ = __float__ = __index__ = _fail


def environment(session: Session, names: list[str]) -> dict[str, Any]:
    """Name -> Remote function or decoded value, for the names test cases take."""
    env: dict[str, Any] = {}
    kinds = session.kinds(names)
    for name in names:
        if kinds[name] == "function":
            env[name] = Remote(session, name)
        elif kinds[name] == "value":
            try:
                env[name] = session.value(name)
            except (StudentError, codec.NotPlainData) as e:
                env[name] = Unavailable(session.say("not_plain_name", name=name, reason=e))
        else:
            env[name] = Unavailable(session.say("not_defined", name=name))
    return env


def failure_text(
    exc: BaseException, test_path: str, source_lines: list[str], say: Messages = ENGLISH
) -> str:
    """What a failed PUBLIC case tells the student: the failing line and the message."""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == test_path and frame.lineno:
            where = (
                source_lines[frame.lineno - 1].strip() if frame.lineno <= len(source_lines) else ""
            )
    message = clip(str(exc), 1200)
    if isinstance(exc, (StudentError, WorkerFailed)):
        return message
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return f"{say('failed_at', line=where)}\n{text}" if where else text


def run_case(case: Any, env: dict[str, Any]) -> BaseException | None:
    """Run one otter test case function with ``env``; the exception if it failed."""
    try:
        case.body.call_func(env)
    except Exception as e:  # noqa: BLE001 - any failure of the case
        return e
    return None


def grade_cases(
    session: Session,
    question: dict,
    describe_hidden: Callable[[Any], str],
) -> dict:
    """Run every test case of one question; per case passed or not and what to show."""
    public, hidden_failed, hidden_passed, earned, cases = [], [], 0, 0.0, []
    session.question_restarts = 0
    for case, name in zip(question["cases"], question["names"], strict=True):
        session.calls.clear()
        try:
            names = list(case.body._get_func_params())
            env = environment(session, [n for n in names if n != "env"])
            error = run_case(case, env)
        except WorkerFailed as e:
            error = e
        passed = error is None
        earned += case.points if passed else 0.0
        # Per case (for Gradescope's results.json): a hidden case shows only its description.
        result = {"hidden": bool(case.hidden), "points": float(case.points), "passed": passed}
        if case.hidden:
            result.update(name=describe_hidden(case), message="")
            if passed:
                hidden_passed += 1
            else:
                reason = describe_hidden(case)
                if isinstance(error, (StudentError, WorkerFailed)):
                    reason += f" ({_hidden_reason(error, session.say)})"
                hidden_failed.append(reason)
                result["message"] = reason
        else:
            entry = {"name": name, "passed": passed, "message": ""}
            if not passed:
                text = failure_text(error, question["path"], question["lines"], session.say)
                if session.calls:
                    text += "\n" + session.say("last_call") + clip(session.calls[-1], 1200)
                entry["message"] = text
            public.append(entry)
            result.update(name=name, message=entry["message"])
        cases.append(result)
    return {
        "earned": earned,
        "public": public,
        "hidden_failed": hidden_failed,
        "hidden_passed": hidden_passed,
        "cases": cases,
    }


# Exception names a hidden case may show: Python's own. Any other name (a class the student
# made) could carry the hidden inputs out, so it is shown as "an exception of its own".
BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _hidden_reason(error: BaseException, say: Messages = ENGLISH) -> str:
    """For a hidden case: what went wrong in the student's code, without the test's inputs.
    Only fixed texts, the names the test takes, and Python's own exception names: nothing
    from the student's process (a message or a class name could carry the inputs out)."""
    if isinstance(error, WorkerFailed):
        return say("hidden_hung")
    if error.kind == "Timeout":
        return say("hidden_timeout")
    if error.kind == "NotPlainData":
        return say("hidden_not_plain")
    if error.kind == "ModifiedInput":
        return say("hidden_modified")
    if error.kind == "Missing":
        return clip(str(error), 120)
    if error.kind in BUILTIN_EXCEPTIONS:
        return say("hidden_raised", kind=error.kind)
    return say("hidden_own_class")
