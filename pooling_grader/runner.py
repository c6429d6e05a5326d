"""The sandboxed side of grading: fresh processes that run an answer, then answer calls.

``session.py`` starts this file once per submission inside the sandbox (``sandbox.py``)::

    python -I runner.py '{"memory_mb": 4096, ...}'

Before any student code runs it sets its resource limits, leaves the root user if the sandbox
made it root (so that the process limit counts), keeps private copies of its stdin and stdout
for the channel and points file descriptors 0, 1 and 2 at ``/dev/null``: whatever the student's
code prints is lost, and it cannot write into the channel by accident. It imports torch and
becomes the *zygote* (``Zygote``): a trusted process that never runs student code and that
processes of the same user may not trace. For each answer it forks a child in which no other
student code has run.

Messages are JSON lines (``codec.py``). Requests to the zygote:

* ``{"op": "fork", "source": module or null, "timeout": s, "counter": name or null}`` ->
  the child's ``{"ok": true, "forked": true}`` (or the error the module raised): forks a child
  that runs ``source`` (the answer module built by ``methods.answer_statements``), or nothing;
  ``counter`` is the name through which the module's loops report that they ran
  (``methods.instrument``);

then, to the child, until it ends:

* ``{"op": "cell", "index": i, "source": ..., "timeout": s}`` -> ``{"ok": true}`` or
  ``{"ok": false, "error": name, "message": text}``: runs one cell in the child's namespace
  (only for the error report, after the scores are decided);
* ``{"op": "kinds", "names": [...]}`` -> ``{"kinds": {name: "function" | "value" | "missing"}}``;
* ``{"op": "get", "name": n}`` -> ``{"value": encoded}`` (or an error);
* ``{"op": "call", "name": n, "args": [...], "kwargs": {...}, "timeout": s}`` ->
  ``{"value": encoded, "changed": {position or keyword: true}, "loops": [[k, n], ...]}`` (or
  an error), where ``changed`` names the tensor arguments the call modified in place and
  ``loops`` how many times (``n``) each counted loop (``k``) entered its body during the call;
* ``{"op": "end"}``: the child ends.

When the child has ended (asked to, or by itself) the zygote kills what it left and sends
``{"ok": true, "ended": true, "status": exit status}``.

Nothing here is trusted by the grader: it only ever receives plain data from this process.
"""

from __future__ import annotations

import json
import os
import sys


def limit_resources(config: dict) -> None:
    import resource

    mb = 1024 * 1024
    limits = {
        resource.RLIMIT_AS: config["memory_mb"] * mb,
        resource.RLIMIT_FSIZE: config["file_mb"] * mb,
        resource.RLIMIT_NPROC: config["processes"],
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NOFILE: 256,
    }
    for kind, value in limits.items():
        if value and value > 0:
            resource.setrlimit(kind, (value, value))
    cpu = config["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def leave_root(config: dict) -> None:
    """In the sandbox's user namespace, root maps to root outside: become ``nobody``."""
    if os.getuid() != 0 or config["uid"] is None:  # None: --no-sandbox, your own user
        return
    uid = config["uid"]
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise SystemExit("runner: could not leave the root user")


class Channel:
    def __init__(self) -> None:
        read, write = os.dup(0), os.dup(1)  # not inherited by processes the student starts
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        self.rfile = os.fdopen(read, "rb")
        self.wfile = os.fdopen(write, "wb", buffering=0)

    def receive(self) -> dict | None:
        from codec import MAX_LINE, loads

        line = self.rfile.readline(MAX_LINE + 1)
        return loads(line) if line else None

    def send(self, message: dict) -> None:
        from codec import dumps

        self.wfile.write(dumps(message))


class Timeout(BaseException):
    """Raised in the student's code when a cell or a call runs past its time limit."""


def _alarm(signum, frame):
    raise Timeout("time limit reached")


def _error(exc: BaseException) -> dict:
    return {"ok": False, "error": type(exc).__name__, "message": str(exc)[:2000]}


class Runner:
    """One fresh process's answers: a module or the notebook's cells, then calls."""

    def __init__(self, channel: Channel, counter: str | None = None) -> None:
        self.channel = channel
        self.namespace: dict = {
            "__name__": "__main__",
            "grader": _NoGrader(),  # otter's checker: its checks run in the trusted grader
            "display": lambda *args, **kwargs: None,  # Jupyter's display(): output is dropped
        }
        # The loops of a rule met only by loops call ``counter(k)`` each time they enter their
        # body (``methods.instrument``); ``call`` reports how often each did. The name is a
        # fresh random dunder, which no code the integrity check lets run can spell or reach.
        self.loops_run: dict[int, int] = {}
        if counter is not None:
            if not (counter.isidentifier() and counter.startswith("__loop_")):
                raise ValueError(f"counter: {counter!r} is not a counter's name")
            runs = self.loops_run

            def count(k: int) -> None:
                runs[k] = runs.get(k, 0) + 1

            self.namespace[counter] = count

    def timed(self, seconds: float, function, *args, **kwargs):
        import signal

        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def run(self, source: str, name: str, timeout: float) -> dict:
        try:
            code = compile(source, name, "exec")
            self.timed(timeout, exec, code, self.namespace)
        except BaseException as e:  # noqa: BLE001 - the student's error, reported
            return _error(e)
        return {"ok": True}

    def cell(self, message: dict) -> dict:
        source = python_source(message["source"])
        return self.run(source, f"<cell {message['index']}>", message["timeout"])

    def kinds(self, message: dict) -> dict:
        kinds = {}
        for name in message["names"]:
            if name not in self.namespace:
                kinds[name] = "missing"
            else:
                kinds[name] = "function" if callable(self.namespace[name]) else "value"
        return {"ok": True, "kinds": kinds}

    def get(self, message: dict) -> dict:
        from codec import encode

        if message["name"] not in self.namespace:
            return {
                "ok": False,
                "error": "NameError",
                "message": f"{message['name']} is not defined",
            }
        return {"ok": True, "value": encode(self.namespace[message["name"]])}

    def call(self, message: dict) -> dict:
        import torch
        from codec import decode, encode

        function = self.namespace.get(message["name"])
        if function is None or not callable(function):
            return {
                "ok": False,
                "error": "NameError",
                "message": f"{message['name']} is not defined",
            }
        args = [decode(a) for a in message["args"]]
        kwargs = {k: decode(v) for k, v in message["kwargs"].items()}
        before = {
            key: value.clone()
            for key, value in [*enumerate(args), *kwargs.items()]
            if type(value) is torch.Tensor
        }
        self.loops_run.clear()
        result = self.timed(message["timeout"], function, *args, **kwargs)
        loops = sorted(self.loops_run.items())
        changed = {}
        for key, old in before.items():
            new = args[key] if isinstance(key, int) else kwargs[key]
            if not _same(new, old):
                changed[str(key)] = True
        return {"ok": True, "value": encode(result), "changed": changed, "loops": loops}

    def serve(self) -> None:
        handlers = {"cell": self.cell, "kinds": self.kinds, "get": self.get, "call": self.call}
        while True:
            message = self.channel.receive()
            if message is None or message.get("op") == "end":
                return
            try:
                answer = handlers[message["op"]](message)
            except BaseException as e:  # noqa: BLE001 - reported to the grader
                answer = _error(e)
            try:
                self.channel.send(answer)
            except BaseException as e:  # noqa: BLE001 - e.g. a result too large to encode
                self.channel.send(_error(e))


def _same(new, old) -> bool:
    """Whether tensor ``new`` still equals ``old`` (its copy before the call); NaN equals NaN."""
    import torch

    if type(new) is not torch.Tensor or new.shape != old.shape or new.dtype != old.dtype:
        return False
    if new.is_floating_point() or new.is_complex():
        return bool(torch.isclose(new, old, rtol=0, atol=0, equal_nan=True).all())
    return torch.equal(new, old)


class Zygote:
    """The process that starts each fresh answer process: trusted, it never runs student code.

    It imports torch once; for each ``fork`` request it forks a child, in which the module of
    one answer (or the notebook's cells) runs and the calls are answered; no other student
    code has run in that child. When the child ends (``end``, or by itself), the zygote kills
    what the child left behind and answers ``{"ended": true}``.
    """

    def __init__(self, channel: Channel, config: dict) -> None:
        self.channel = channel
        self.kill_all = bool(config.get("kill_all"))

    def serve(self) -> None:
        self.channel.send({"ok": True, "ready": True})
        while True:
            message = self.channel.receive()
            if message is None:
                return
            if message.get("op") == "end":  # for a child that had already ended
                continue
            if message.get("op") != "fork":
                self.channel.send({"ok": False, "error": "Protocol", "message": "fork first"})
                continue
            pid = os.fork()
            if pid == 0:
                self.child(message)  # never returns
            status = _wait(pid)
            self.clean_up(pid)
            self.channel.send({"ok": True, "ended": True, "status": status})

    def child(self, message: dict) -> None:
        code = 0
        try:
            os.setpgid(0, 0)
            runner = Runner(self.channel, message.get("counter"))
            source = message.get("source")
            if source is not None:
                answer = runner.run(source, "<answer>", message["timeout"])
            else:
                answer = {"ok": True}
            self.channel.send(dict(answer, forked=True))
            runner.serve()
        except BaseException:  # noqa: BLE001 - the child only ever ends here
            code = 1
        os._exit(code)

    def clean_up(self, pid: int) -> None:
        """Kill every process the child left: its group, and in a sandbox of its own (a PID
        namespace or a user for student code only) every process the zygote may signal."""
        import signal

        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        if self.kill_all:
            try:
                os.kill(-1, signal.SIGKILL)  # not the zygote itself, not the namespace's init
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _not_dumpable() -> None:
    """Processes of the same user may not ptrace the zygote or read its memory."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


class _NoGrader:
    """Stands in for otter's ``grader``: its checks run in the trusted grader, not here."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def python_source(source: str) -> str:
    """The cell as Python: IPython's syntax (``%magic``, ``!shell``) becomes comments."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass  # " + stripped
        lines.append(line)
    return "\n".join(lines)


# Imported before the process leaves root: the student's user may not be able to read the
# Python installation (outside bubblewrap, a Python under /root); these are what the grader
# and the answers the integrity check allows import.
PRELOAD = ("torch", "numpy", "math", "cmath", "itertools", "functools", "collections", "typing",
           "dataclasses", "numbers", "fractions", "decimal", "statistics", "random", "signal",
           "ctypes", "base64", "codec")  # fmt: skip


def main() -> None:
    config = json.loads(sys.argv[1])
    limit_resources(config)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)  # before the student's code, as in a notebook
    import torch

    torch.set_num_threads(1)
    leave_root(config)
    channel = Channel()
    _not_dumpable()
    Zygote(channel, config).serve()


if __name__ == "__main__":
    main()
