"""The sandbox a student's code runs in: bubblewrap (``bwrap``), plus resource limits.

``command()`` returns the command line that starts ``runner.py`` in a new sandbox:

* new user, PID, network, IPC, UTS and cgroup namespaces (``--unshare-*``): no network at all,
  not even a loopback shared with the grader; the sandbox's processes see only each other,
  and when its first process ends (``--die-with-parent`` ties it to the grader) the kernel
  ends every process in it;
* a file system of read-only binds of what Python and PyTorch need (``/usr``, the Python
  installation, the virtual environment, the runner's folder), a fresh ``/proc`` and
  ``/dev``, and two private tmpfs of limited size, ``/tmp`` and ``/home/student`` (the working and
  home folder), which vanish with the sandbox. The autograders, hidden tests, other
  submissions and the teacher's files are not in it;
* a cleared environment (``--clearenv``) with a few harmless variables;
* limits (set by ``runner.py`` before any student code runs, and inherited by anything it
  starts): address space, file size, processes, CPU time, open files, no core files. They
  are set inside the sandbox rather than on bwrap (``prlimit``) because Linux checks the
  process limit at each level of user namespaces against the limit the namespace was
  created with: set on bwrap, it would count every process of a teacher's own user.

Run as root (a CI machine, a container), the sandbox's root would be root outside, for which
Linux ignores the process limit (``RLIMIT_NPROC``). So the grader then creates the user
namespace itself, mapping root and ``nobody`` (65534) inside to the same users outside, and
passes it to bwrap (``--userns``); the runner sets its limits and switches to ``nobody``
before anything else runs. As another user, bwrap creates the namespace (``--unshare-user``).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

NOBODY = 65534
RUNNER_DIR = pathlib.Path(__file__).resolve().parent
ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/home/student",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_paths() -> list[str]:
    """Folders Python needs: its installation, the virtual environment, the interpreter's."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(pathlib.Path(os.path.realpath(sys.executable)).parent.parent))
    # Editable installs and .pth files may point elsewhere: only site-packages are needed.
    return sorted(p for p in paths if p and not p.startswith("/usr/"))


def _root_entries() -> list[str]:
    """Binds of the top-level links and folders the dynamic loader and Python use."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


def _bind_with_parents(path: str, made: set[str]) -> list[str]:
    """``--ro-bind path path``, with its parent folders created readable (bwrap's are 0700)."""
    args = []
    parts = pathlib.PurePosixPath(path).parts
    for i in range(2, len(parts)):
        parent = str(pathlib.PurePosixPath(*parts[:i]))
        if parent not in made and not parent.startswith("/usr"):
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args + ["--ro-bind", path, path]


def command(*, userns_fd: int | None, tmp_mb: int, program: list[str] | None = None) -> list[str]:
    """The bwrap command line: the runner (without its own arguments), or ``program``."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise FileNotFoundError("bwrap (Debian package bubblewrap) is not installed")
    args = [bwrap]
    if userns_fd is None:
        args += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    else:
        args += ["--userns", str(userns_fd), "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += [
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
    ]  # fmt: skip
    for key, value in ENVIRONMENT.items():
        args += ["--setenv", key, value]
    args += _root_entries()
    # The private tmpfs come before the binds: a virtual environment that lives under /tmp
    # (a checkout in /tmp, as CI may make) is then bound on top of the tmpfs, not hidden
    # by it. Their folders keep their own permissions (no --dir over them).
    size = str(tmp_mb * 1024 * 1024)
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    args += ["--perms", "0777", "--size", size, "--tmpfs", "/home/student"]
    made: set[str] = {"/tmp", "/home", "/home/student"}
    for path in _python_paths():
        args += _bind_with_parents(path, made)
    args += ["--ro-bind", str(RUNNER_DIR), "/grader"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--chdir", "/home/student"]
    return args + (program or [sys.executable, "-I", "/grader/runner.py"])


def check() -> str | None:
    """Start one sandbox running ``true``; None if it works, else why it does not."""
    userns = None
    try:
        userns = user_namespace() if os.getuid() == 0 else None
        argv = command(userns_fd=userns, tmp_mb=1, program=["/usr/bin/true"])
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
            pass_fds=() if userns is None else (userns,),
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"{type(e).__name__}: {e}"
    finally:
        if userns is not None:
            os.close(userns)
    if done.returncode != 0:
        return done.stderr.strip() or f"bwrap exited with status {done.returncode}"
    return None


def direct_command() -> list[str]:
    """``--no-sandbox``: the runner as a plain child process (limits, but no isolation)."""
    return [sys.executable, "-I", str(RUNNER_DIR / "runner.py")]


_HOLDER = """\
import ctypes, sys
if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:  # CLONE_NEWUSER
    sys.exit("unshare(CLONE_NEWUSER) failed, errno %d" % ctypes.get_errno())
print("ready", flush=True)
sys.stdin.read()
"""


def user_namespace() -> int:
    """A new user namespace mapping root and nobody to themselves; returns an fd to it.

    Only for root (writing another process's uid_map with two users needs CAP_SETUID).
    The caller passes the fd to bwrap and closes it afterwards.
    """
    holder = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _HOLDER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        if holder.stdout.readline() != b"ready\n":
            raise OSError(f"could not create a user namespace: {holder.stderr.read().decode()}")
        mapping = f"0 0 1\n{NOBODY} {NOBODY} 1\n"
        for name in ("uid_map", "gid_map"):
            with open(f"/proc/{holder.pid}/{name}", "w") as f:
                f.write(mapping)
        return os.open(f"/proc/{holder.pid}/ns/user", os.O_RDONLY)
    finally:
        holder.stdin.close()
        holder.wait()


# ---------------------------------------------------------------------------------------------
# Without bubblewrap (a container whose seccomp profile forbids user namespaces, as Docker's
# default does): as root, student code runs as another user. What each measure gives is
# checked, not assumed (``fallback_protections``).


FALLBACK_UIDS = range(64990, 65000)  # no passwd entry needed: setuid works for any number


_RESERVED: dict[int, int] = {}  # uid -> the open lock file that holds it for this process


def _reserve(uid: int) -> bool:
    """Hold ``uid`` for this grading process (an exclusive lock on a file named by the uid,
    kept open until the process ends), so that two gradings started at the same moment on
    one machine never pick the same student uid, whose processes are all killed at the end."""
    import fcntl
    import tempfile

    if uid in _RESERVED:
        return False
    path = os.path.join(tempfile.gettempdir(), f"pooling-grader-uid-{uid}.lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _RESERVED[uid] = fd
    return True


def free_uid() -> int:
    """A uid for student code that no process uses now and no other grading holds (not
    ``nobody``: other sandboxes run as nobody, and every process of the student's uid is
    killed after grading)."""
    used = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                used.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                continue
    for uid in FALLBACK_UIDS:
        if uid not in used and _reserve(uid):
            return uid
    raise RuntimeError(f"every uid of {FALLBACK_UIDS} runs a process: none is free for students")


def private_folder(uid: int) -> str:
    """A new empty folder only ``uid`` may enter: the working and home folder of one process."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="pooling-grade-")
    os.chown(folder, uid, uid)
    os.chmod(folder, 0o700)
    return folder


CLONE_NEWNET = 0x40000000


def unshare_network() -> None:
    """In a child before it runs the runner: a network namespace of its own (no interface but
    a loopback that is down). Needs CAP_SYS_ADMIN; raises OSError without it."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")


_PROBE = """\
import os, socket, sys
uid, paths = int(sys.argv[1]), sys.argv[2:]
os.setgroups([]); os.setgid(uid); os.setuid(uid)
seen = []
for path in paths:
    try:
        open(path, "rb").close()
        seen.append(path)
    except OSError:
        pass
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("1.1.1.1", 53))
    seen.append("network")
except OSError as e:
    seen.append("no-network" if isinstance(e, (PermissionError, OSError)) else "")
print(" ".join(seen))
"""


def probe(uid: int, paths: list[str], unshare_net: bool) -> dict:
    """Run a probe as ``uid`` (as the runner will run): which of ``paths`` it can read, and
    whether it can open a connection (to 1.1.1.1; no answer also counts as no network)."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _PROBE, str(uid), *paths],
            capture_output=True,
            text=True,
            timeout=30,
            preexec_fn=unshare_network if unshare_net else None,
        )
    except (OSError, subprocess.SubprocessError) as e:
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    words = done.stdout.split()
    return {
        "ok": done.returncode == 0,
        "error": done.stderr.strip()[-300:],
        "readable": [p for p in paths if p in words],
        "network": "network" in words,
    }


def can_unshare_network() -> bool:
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", "pass"],
            capture_output=True,
            timeout=30,
            preexec_fn=unshare_network,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def kill_user(uid: int) -> int:
    """Kill every process of ``uid`` (as root, after grading): how many there were."""
    import signal

    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
        except OSError:
            continue
    _wait_until_gone(uid)
    return killed


def _wait_until_gone(uid: int, seconds: float = 10.0) -> None:
    """Wait until the kernel has removed every process of ``uid`` (a killed process keeps
    its uid in /proc until its parent reaps it), so a check right after sees none."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = False
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    left = left or os.stat(f"/proc/{entry}").st_uid == uid
                except OSError:
                    continue
        if not left:
            return
        time.sleep(0.05)
