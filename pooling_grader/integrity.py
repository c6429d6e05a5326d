"""Integrity checks: does code inspect or patch the program it runs in? Decided from source.

An answer is graded by calling it in a sandboxed process (``runner.py``) that encodes what it
returns. Code that can reach that process's own objects (its stack frames, ``gc``,
``sys.modules``, the grader's modules, the builtins) or change shared objects (attributes of
modules and classes) can make the report say anything, so such code is never run while scores
are decided: the question scores 0 and is reported for review (book/teachers.md, "What an answer
may not do").

Two levels, both decided from ``ast`` (nothing is run):

* ``answer_problems``: for the code of an answer (its functions, helpers, module-level names
  and the imports they use: what ``methods.answer_module`` builds). Besides introspection and
  patching it refuses what an answer has no need for and a forger would reach for: imports
  outside a short list of numeric libraries (and modules reached as attributes of them:
  ``typing.operator``, ``reached_modules``), private names (``_x``, ``__x__``), ``open``,
  ``exec``/``eval``/``compile``, ``getattr`` with a computed name and what does the same
  by other means (``functools.update_wrapper``, ``operator.attrgetter``), classes built from
  strings (``dataclasses.make_dataclass``, ``type()`` with three arguments), PyTorch's or
  NumPy's doors to the system (``torch.load``, ``torch.utils``, ``numpy.ctypeslib``...), and
  every function of NumPy, PyTorch and d2l that reads or writes files, by its name as an
  attribute of anything (``FILE_IO_NAMES``): the runner's channel is an open file of the
  sandboxed process, and ``/proc/self/fd/N`` reaches it.
* ``program_patches``: for top-level code that is not part of an answer. It never runs while
  scores are decided, so it cannot change a score; introspection or patching there is only
  reported for review, so that a teacher sees the attempt.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
import types

BUILTIN_NAMES = set(dir(builtins))

# Modules an answer may import (the module and everything under it, except DENIED_PREFIXES).
ALLOWED_MODULES = {
    "torch", "numpy", "math", "cmath", "itertools", "functools", "collections", "typing",
    "dataclasses", "numbers", "fractions", "decimal", "statistics", "random", "d2l",
    "pooling_lib", "einops",
}  # fmt: skip
DENIED_PREFIXES = (
    "torch.utils", "torch.hub", "torch.load", "torch.save", "torch.jit", "torch.package",
    "torch.library", "torch.overrides", "torch.ops", "torch.classes", "torch.multiprocessing",
    "torch.distributed", "torch.fx", "torch.export", "torch.compile", "torch.from_file",
    "torch.cuda", "torch.backends", "torch.serialization", "torch.storage", "torch.testing",
    "numpy.ctypeslib", "numpy.lib", "numpy.load", "numpy.save", "numpy.fromfile",
    "numpy.memmap", "numpy.f2py", "numpy.distutils", "numpy.testing", "numpy.core",
    # Files (see FILE_IO_NAMES, which also catches these names reached through an alias):
    "numpy.compat", "numpy.DataSource", "numpy.info", "numpy.source", "numpy.lookfor",
    "numpy.ma.mrecords", "torch.onnx", "torch.profiler", "torch.autograd.profiler",
    "torch.autograd.profiler_util", "torch.monitor", "torch.mps", "torch.xpu", "torch.mtia",
    "torch.accelerator", "torch.compiler", "torch.prepare_multiprocessing_environment",
    "d2l.os", "d2l.sys", "d2l.torch.os", "d2l.torch.sys",
    # They evaluate text (string annotations) as code:
    "typing.get_type_hints", "typing.ForwardRef", "typing.evaluate_forward_ref",
    "typing.get_overloads", "functools.singledispatch", "functools.singledispatchmethod",
    # They read and write attributes named by data (getattr and setattr in disguise), or build
    # classes whose dunders come from strings:
    "functools.update_wrapper", "functools.wraps", "dataclasses.make_dataclass",
)  # fmt: skip
# Modules that reach the running program or the system: refused as imports, and as attributes
# (``torch.sys``, ``d2l.os``: a module that imported them hands them on).
SYSTEM_MODULES = {
    "sys", "os", "gc", "inspect", "ctypes", "builtins", "importlib", "subprocess", "signal",
    "threading", "_thread", "multiprocessing", "socket", "shutil", "pickle", "marshal", "io",
    "pathlib", "types", "traceback", "weakref", "resource", "tempfile", "glob", "mmap", "fcntl",
    "asyncio", "runpy", "code", "codeop", "dis", "atexit", "faulthandler", "posix", "pty",
    "codec", "runner", "session", "sandbox", "methods", "integrity", "otter", "copyreg",
}  # fmt: skip
# The grader's own modules, and those that inspect or patch a program: refused anywhere.
INTROSPECTION_MODULES = {
    "sys", "gc", "inspect", "ctypes", "builtins", "importlib", "types", "traceback", "weakref",
    "codec", "runner", "session", "sandbox", "methods", "integrity", "otter", "dis",
}  # fmt: skip
# At top level (outside every answer) these modules are common in honest code (sys.version,
# print to sys.stderr): only what reaches the running program through them is reported.
TOP_LEVEL_COMMON = {"sys", "builtins", "types", "traceback", "weakref", "dis", "otter"}
SYS_HOOKS = {
    "modules", "_getframe", "_current_frames", "settrace", "setprofile", "meta_path",
    "path_hooks", "exc_info", "exception", "addaudithook", "excepthook", "displayhook",
}  # fmt: skip
# Attributes of frames, tracebacks, generators, code objects and functions.
FRAME_ATTRIBUTES = {
    "f_back", "f_locals", "f_globals", "f_builtins", "f_code", "f_lasti", "f_trace",
    "tb_frame", "tb_next", "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "co_code",
    "co_consts", "co_names", "func_globals", "func_code", "from_file", "load_library",
    "load_inline", "ctypeslib", "tofile",
}  # fmt: skip
# File input and output. The sandboxed process's channel is an open file descriptor, and /proc
# is mounted there, so a function that opens a path (``numpy.savetxt("/proc/self/fd/N", ...)``)
# can write lines onto the channel. These names are refused in answer code as attributes of
# anything (``x.numpy().tofile(...)``, ``[np][0].savetxt(...)``, ``m.save`` through an alias,
# ``getattr(np, "savetxt")``) and as parts of a dotted name (``from numpy import savetxt``):
# what NumPy, PyTorch and d2l read or write files with, and the modules that hold such functions.
FILE_IO_NAMES = {
    # numpy: npyio, ndarray methods, records, masked arrays, compat
    "save", "savez", "savez_compressed", "savetxt", "load", "loadtxt", "genfromtxt",
    "fromregex", "fromfile", "tofile", "dump", "memmap", "open_memmap", "DataSource",
    "recfromtxt", "recfromcsv", "fromtextfile", "open_latin1", "npyio", "compat",
    "mrecords", "write_array", "read_array",
    # torch: serialization, storages mapped from files, profilers' traces, ONNX, hub
    "from_file", "serialization", "profiler", "onnx", "hub", "debug_dump", "load_nvprof",
    "metal_capture", "prepare_multiprocessing_environment", "tensorboard", "cpp_extension",
    "load_inline", "load_library", "model_dump",
    # file objects (reachable only through the above) and d2l's file helpers
    "open", "write", "writelines", "write_text", "write_bytes", "copyfile", "extract",
    "reorg_test", "reorg_train_valid",
}  # fmt: skip
# Prefixes of such names: profilers' export_chrome_trace, export_stacks...; d2l's download,
# download_extract, read_imdb, load_data_fashion_mnist... (they read or download files).
FILE_IO_PREFIXES = ("export_", "download", "read_", "load_data_")


def file_io(name: str) -> bool:
    """Whether an attribute or module name is one that reads or writes files."""
    return name in FILE_IO_NAMES or name.startswith(FILE_IO_PREFIXES)


# Builtins that run text as code, open files, or reach and change namespaces.
DENIED_BUILTINS = {
    "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "breakpoint", "open",
    "setattr", "delattr", "input", "memoryview",
}  # fmt: skip
INTROSPECTION_BUILTINS = {"exec", "eval", "compile", "__import__", "globals", "locals", "vars",
                          "setattr", "delattr"}  # fmt: skip
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__"}
# Builtins that read attributes by name: allowed only as a direct call with a constant name
# (``getattr(m, "weight")``); any other use (``ga = getattr``, ``reduce(getattr, names, m)``,
# ``partial(getattr, F)``, a default argument) can build the name from strings.
ATTRIBUTE_READERS = {"getattr", "hasattr"}
# Protocol checks ``hasattr(x, "__len__")`` may make: they only answer yes or no.
PROTOCOL_DUNDERS = {
    "__len__", "__iter__", "__getitem__", "__contains__", "__index__", "__int__", "__float__",
    "__array__", "__call__", "__next__", "__reversed__",
}  # fmt: skip
# Attributes that evaluate text as code (string annotations) or reach typing's evaluator, or
# that read and write attributes named by data (``functools.update_wrapper(box, F,
# assigned=(name,))`` is ``getattr(F, name)``; ``operator.attrgetter(name)``).
EVALUATING_ATTRIBUTES = {
    "get_type_hints", "ForwardRef", "evaluate_forward_ref", "get_overloads", "singledispatch",
    "singledispatchmethod", "mro", "update_wrapper", "wraps", "make_dataclass", "attrgetter",
    "methodcaller", "itemgetter",
}  # fmt: skip


def reached_modules(full: str) -> list[str]:
    """The modules a dotted name passes through as attributes, as the grader's own imports
    see them: ``typing.operator.attrgetter`` -> ``["operator"]`` (``typing`` imported
    ``operator``). Only modules the answer may import are looked into, through their
    ``__dict__`` (no module ``__getattr__`` runs); nothing is imported but an allowed
    module."""
    parts = full.split(".")
    if parts[0] not in ALLOWED_MODULES:
        return []
    try:
        owner = sys.modules.get(parts[0]) or importlib.import_module(parts[0])
    except Exception:  # noqa: BLE001 - not installed here: nothing to look into
        return []
    found = []
    for part in parts[1:]:
        value = vars(owner).get(part) if isinstance(owner, types.ModuleType) else None
        if not isinstance(value, types.ModuleType):
            break
        found.append(value.__name__)
        owner = value
    return found


def _dotted(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """The root of an attribute chain and the attribute names after it."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return node, list(reversed(parts))


def _resolve(parts: list[str], aliases: dict[str, str]) -> str:
    root = aliases.get(parts[0], parts[0])
    return ".".join([root, *parts[1:]])


def _locals_of(definition: ast.AST) -> set[str]:
    local: set[str] = set()
    for node in ast.walk(definition):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    return local if isinstance(definition, scopes) else set()


class _Checker:
    def __init__(self, aliases: dict[str, str], shared: set[str], answer: bool) -> None:
        self.aliases = aliases  # import aliases of the notebook
        self.shared = shared  # classes and functions defined at the notebook's top level
        self.answer = answer  # answer code (strict) or other top-level code (introspection)
        self.found: set[str] = set()
        self.answer_classes: set[str] = set()  # classes the answer's code defines

    # -- one definition or statement -----------------------------------------------------------

    def check(self, definition: ast.AST) -> None:
        aliases = dict(self.aliases)
        local = _locals_of(definition)
        # ``getattr``/``hasattr`` names that are the function of a direct call with a constant
        # string: every other reference to them is flagged (``_name``).
        self.direct = {
            id(node.func)
            for node in ast.walk(definition)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ATTRIBUTE_READERS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        }
        self.classes = self.answer_classes | {
            n.name for n in ast.walk(definition) if isinstance(n, ast.ClassDef)
        }
        self.made = _made_objects(definition, aliases, self.classes)
        self.own = _own_attribute_stores(definition)
        # Locals that alias a module, a class or a shared object: ``m = torch.nn.functional``.
        borrowed: set[str] = set()
        for node in ast.walk(definition):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._import(node, aliases)
            if isinstance(node, ast.Assign) and self._is_shared(node.value, aliases, local):
                for target in node.targets:
                    borrowed |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        for node in ast.walk(definition):
            self._node(node, aliases, local, borrowed)

    def _is_shared(self, value: ast.AST, aliases: dict[str, str], local: set[str]) -> bool:
        root, _ = _dotted(value)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return value.func.id == "type"
        if not isinstance(root, ast.Name):
            return False
        return root.id not in local and (
            root.id in aliases or root.id in self.shared or root.id in BUILTIN_NAMES
        )

    def _flag(self, text: str) -> None:
        self.found.add(text)

    def _import(self, node: ast.AST, aliases: dict[str, str]) -> None:
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = (
                    a.name if a.asname else a.name.split(".")[0]
                )
        else:
            if node.level:
                self._flag("a relative import")
                return
            modules = [f"{node.module}.{a.name}" for a in node.names]
            for a in node.names:
                if a.name == "*":
                    self._flag(f"`from {node.module} import *`")
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for module in modules:
            self._module(module, "imports")

    def _module(self, full: str, verb: str) -> None:
        parts = full.split(".")
        if not self.answer:
            if parts[0] == "sys" and len(parts) > 1 and parts[1] in SYS_HOOKS:
                self._flag(f"uses `sys.{parts[1]}`")
            if parts[0] in TOP_LEVEL_COMMON:
                return
        bad = next((p for p in parts if p in INTROSPECTION_MODULES), None)
        if bad is None and self.answer:
            bad = next((p for p in parts if p in SYSTEM_MODULES), None)
            if bad is None and parts[0] not in ALLOWED_MODULES:
                bad = parts[0]
        if bad is not None:
            self._flag(f"{verb} `{bad}`")
            return
        if self.answer:
            for prefix in DENIED_PREFIXES:
                if full == prefix or full.startswith(prefix + "."):
                    self._flag(f"uses `{prefix}`")
            # A module reached as an attribute (``typing.operator``, ``dataclasses.sys``)
            # must be one the answer may import.
            for module in reached_modules(full):
                top = module.split(".")[0]
                if top not in ALLOWED_MODULES or any(
                    module == p or module.startswith(p + ".") for p in DENIED_PREFIXES
                ):
                    self._flag(f"reaches the module `{module}` through `{full}`")
                    break
            if verb == "imports" and any(file_io(p) for p in parts[1:]):
                self._flag(f"imports `{full}` (reads or writes files)")
            private = next((p for p in parts if p.startswith("_")), None)
            if private is not None:
                self._flag(f"uses the private name `{private}`")

    def _node(self, node: ast.AST, aliases: dict, local: set[str], borrowed: set[str]) -> None:
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Store):  # a class may define __eq__ = ...
                self._name(node.id)
                if self.answer and node.id in ATTRIBUTE_READERS and id(node) not in self.direct:
                    self._flag(f"`{node.id}` used other than as a call with a constant name")
        elif self.answer and isinstance(node, ast.ClassDef):
            if any(k.arg == "metaclass" for k in node.keywords):
                self._flag(f"a metaclass for `{node.name}`")
            for item in node.body:
                names = [item.name] if isinstance(item, ast.FunctionDef) else []
                if isinstance(item, ast.Assign):
                    names = [t.id for t in item.targets if isinstance(t, ast.Name)]
                for name in set(names) & {"__new__", "__call__", "__init_subclass__"}:
                    self._flag(f"`{node.name}.{name}` (what its calls return is not its own)")
            if _string_annotation(node):
                self._flag("a string annotation (typing can evaluate it as code)")
        elif self.answer and _string_annotation(node):
            self._flag("a string annotation (typing can evaluate it as code)")
        elif isinstance(node, ast.Attribute):
            self._attribute(node.attr)
            root, parts = _dotted(node)
            if isinstance(root, ast.Name) and root.id in aliases and root.id not in local:
                self._module(_resolve([root.id, *parts], aliases), "uses")
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self._store(node, local, borrowed, aliases)
            elif self.answer and node.attr not in ALLOWED_DUNDERS:
                # ``Net.forward(torch, x)`` or ``type(self).forward``: a method called on
                # anything, its ``self.x = ...`` would patch a module.
                value = node.value
                if isinstance(value, ast.Name) and value.id not in local:
                    if value.id in self.classes or value.id in self.shared:
                        self._flag(f"`{value.id}.{node.attr}` (an attribute of its own class)")
                elif (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id == "type"
                ):
                    self._flag(f"`type(...).{node.attr}`")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("getattr", "hasattr") and len(node.args) >= 2:
                name = node.args[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    if not (node.func.id == "hasattr" and name.value in PROTOCOL_DUNDERS):
                        self._attribute(name.value)
                        root, parts = _dotted(node.args[0])
                        if isinstance(root, ast.Name) and root.id in aliases:
                            if root.id not in local:  # getattr(typing, "operator")
                                full = _resolve([root.id, *parts, name.value], aliases)
                                self._module(full, "uses")
                elif self.answer:
                    self._flag(f"`{node.func.id}()` with a computed name")
            if self.answer and node.func.id == "type" and len(node.args) + len(node.keywords) > 1:
                self._flag("`type()` with three arguments (a class whose dunders are strings)")

    def _name(self, name: str) -> None:
        denied = DENIED_BUILTINS if self.answer else INTROSPECTION_BUILTINS
        if name in denied:
            self._flag(f"`{name}`")
        elif name.startswith("__") and name not in ALLOWED_DUNDERS:
            self._flag(f"`{name}`")

    def _attribute(self, attr: str) -> None:
        if attr in ALLOWED_DUNDERS:
            return
        if attr in FRAME_ATTRIBUTES or (self.answer and attr in EVALUATING_ATTRIBUTES):
            self._flag(f"`.{attr}`")
        elif attr.startswith("__") and attr not in ALLOWED_DUNDERS:
            self._flag(f"`.{attr}`")
        elif self.answer and file_io(attr):
            self._flag(f"`.{attr}` (reads or writes files)")
        elif (self.answer and attr in SYSTEM_MODULES) or (
            attr in INTROSPECTION_MODULES - TOP_LEVEL_COMMON
        ):
            self._flag(f"`.{attr}` (a module)")
        elif self.answer and attr.startswith("_"):
            self._flag(f"the private name `.{attr}`")

    def _store(self, node: ast.Attribute, local: set[str], borrowed: set[str], aliases) -> None:
        root, parts = _dotted(node)
        if isinstance(root, ast.Name):
            name = root.id
            if self.answer:
                # In an answer: only attributes of an object the function itself made (a
                # name bound only to ``torch...(...)`` or to one of the answer's classes
                # called) or of ``self`` in a method of the answer's own class.
                if (name in self.made and name not in borrowed) or id(node) in self.own:
                    return
            elif name in local and name not in borrowed:
                return  # an attribute of the function's own object (self.weight = ...)
            elif name not in local and name not in aliases and name not in self.shared:
                if name not in BUILTIN_NAMES:
                    return  # an attribute of a notebook variable (net.weight = ...)
            shown = ".".join([name, *parts])
        else:
            shown = ".".join(["(...)", *parts])
        what = "an object the answer did not make" if self.answer else "a module or class"
        self._flag(f"assigns `{shown}` (an attribute of {what})")


def _string_annotation(node: ast.AST) -> bool:
    """Whether ``node`` (a definition or annotated assignment) has an annotation holding a
    string: ``typing.get_type_hints`` and friends would evaluate it as code."""
    annotations: list[ast.AST | None] = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        annotations = [a.annotation for a in every] + [node.returns]
    elif isinstance(node, ast.AnnAssign):
        annotations = [node.annotation]
    return any(
        isinstance(part, ast.Constant) and isinstance(part.value, str)
        for annotation in annotations
        if annotation is not None
        for part in ast.walk(annotation)
    )


def _made_objects(definition: ast.AST, aliases: dict[str, str], classes: set[str]) -> set[str]:
    """Names whose attributes the answer may assign: names bound, every time, by
    ``name = f(...)`` where ``f`` is a dotted name under ``torch`` (``torch.zeros``,
    ``nn.Conv2d``) or a class the answer defines (``classes``: none may define ``__new__``,
    ``__call__`` or a metaclass, see ``_node``). Parameters, ``self`` included,
    and names bound any other way are not (``m = [torch][0]``, ``k = type(x)``)."""
    bindings: dict[str, list[ast.AST | None]] = {}
    for node in ast.walk(definition):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for a in ast.walk(node.args):
                if isinstance(a, ast.arg):
                    bindings.setdefault(a.arg, []).append(None)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                value = node.value if isinstance(target, ast.Name) else None
                for n in ast.walk(target):
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                        bindings.setdefault(n.id, []).append(value)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bindings.setdefault(node.id, [])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bindings.setdefault(node.name, []).append(None)
    # Bindings other than a plain ``name = value`` (for targets, with, walrus...) count as
    # unknown: the Name nodes of Assign targets were counted above, the rest are not.
    assigned = {
        id(n)
        for node in ast.walk(definition)
        if isinstance(node, ast.Assign)
        for target in node.targets
        for n in ast.walk(target)
    }
    for node in ast.walk(definition):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            if id(node) not in assigned:
                bindings[node.id].append(None)

    def made(value: ast.AST | None) -> bool:
        if not isinstance(value, ast.Call):
            return False
        root, parts = _dotted(value.func)
        if not isinstance(root, ast.Name) or "mro" in parts:
            return False
        if root.id in classes:
            return not parts
        return _resolve([root.id, *parts], aliases).split(".")[0] == "torch"

    return {name for name, values in bindings.items() if values and all(map(made, values))}


def _own_attribute_stores(definition: ast.AST) -> set[int]:
    """Attribute assignments ``self.x = ...`` in an undecorated method of a class the
    definition defines, ``self`` its first parameter and bound nowhere else in the method."""
    allowed: set[int] = set()
    for cls in (n for n in ast.walk(definition) if isinstance(n, ast.ClassDef)):
        for method in cls.body:
            if not isinstance(method, ast.FunctionDef) or method.decorator_list:
                continue
            first = [*method.args.posonlyargs, *method.args.args][:1]
            if not first:
                continue
            name, bound = first[0].arg, 0
            for node in ast.walk(method):
                if isinstance(node, ast.arg) and node.arg == name:
                    bound += 1
                elif isinstance(node, ast.Name) and node.id == name:
                    bound += not isinstance(node.ctx, ast.Load)
            if bound != 1:
                continue
            for node in ast.walk(method):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    root, _ = _dotted(node)
                    if isinstance(root, ast.Name) and root.id == name:
                        allowed.add(id(node))
    return allowed


def borrowed_globals(
    statements: list[ast.AST], aliases: dict[str, str], shared: set[str]
) -> set[str]:
    """Top-level names bound to a module, class or builtin (``m = torch.Tensor``)."""
    checker = _Checker(aliases, shared, answer=True)
    names: set[str] = set()
    for node in statements:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            if checker._is_shared(node.value, aliases, set()):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def answer_problems(
    definitions: list[ast.AST], aliases: dict[str, str], shared: set[str]
) -> list[str]:
    """What in an answer's code inspects or patches the program (empty: nothing found).

    ``shared``: the notebook's top-level classes and functions, and the names bound to
    modules or classes (``borrowed_globals``): assigning their attributes is patching.
    """
    checker = _Checker(aliases, shared, answer=True)
    checker.answer_classes = {
        n.name for d in definitions for n in ast.walk(d) if isinstance(n, ast.ClassDef)
    }
    for definition in definitions:
        checker.check(definition)
    return sorted(checker.found)


def program_patches(
    statements: list[ast.AST], aliases: dict[str, str], shared: set[str]
) -> list[str]:
    """What in top-level code (not an answer) inspects or patches the program."""
    checker = _Checker(aliases, shared, answer=False)
    for statement in statements:
        checker.check(statement)
    return sorted(checker.found)
