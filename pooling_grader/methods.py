"""Method checks: does an answer use the method its question asks for? Decided from source.

The grader parses the student's code cells with ``ast`` (nothing is run) and, for each
question with rules (``exercises/rules.yml``, copied into the autograder's JSON by
``exercises/build.py``), collects the names the question's functions use, following the
notebook's own helper functions, classes and module-level names they refer to:

* ``require``: rule text -> names; the answer must use at least one of them;
* ``forbid``: rule text -> names; the answer must use none of them.

A name without a dot (``max_pool2d``, ``backward``) matches a variable, an attribute
(``X.backward()``) or an imported name; a dotted name (``torch.autograd``) matches an
attribute chain or import that resolves, through the notebook's imports, to it or to
something inside it. A name with ``*`` is a pattern (``fnmatch``; its ``*`` also matches
dots): ``torch.*pool*`` matches every name under ``torch`` with ``pool`` in it
(``torch.mkldnn_max_pool2d``, ``torch.nn.functional.max_pool2d``). ``<comparison>``
stands for a comparison operator (``<``, ``==``...), ``<loop>`` for a ``for`` or ``while``
loop or a comprehension.

A ``require`` rule counts only code that can run (``live``): not a branch under a constant
condition that never holds (``if False:``, ``while 0:``, ``x if None else y``, ``False and
f()``), not statements after ``return``/``raise``/``break``/``continue``, not an ``assert``'s
message, not the body of a loop over a literal empty iterable (``()``, ``[]``, ``range(0)``),
and not a function defined inside the answer that nothing calls or passes on, nor a helper
the answer only names in a bare statement. A ``<loop>`` must also do something: its body may
not be only ``pass``, ``...``, constants, ``break`` or ``continue``.

The source shows only that a loop can run. Where a ``require`` rule is met by loops alone,
the answer module is built with a counter in each of those loops (``instrument``) and the
rule is checked again while the tests run: every call of its functions that returns a value
must have entered one of the loops (with ``per_value``: as many times as the result has
values), else the rule is broken and the question scores 0.

Code that hides what it calls (``getattr`` with a computed name, ``exec``, ``eval``,
``compile``, ``__import__``, ``importlib``, ``globals()``, ``__builtins__``...) cannot be
checked this way: it is reported for manual review.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import secrets
import threading
from dataclasses import dataclass, field

from . import integrity
from .messages import ENGLISH, Messages
from .runner import python_source

COMPARISON = "<comparison>"
LOOP = "<loop>"
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
OPAQUE_CALLS = {"exec", "eval", "compile", "__import__", "globals", "locals", "vars", "breakpoint"}
OPAQUE_NAMES = {
    "importlib", "__builtins__", "builtins", "__dict__", "__getattribute__", "attrgetter",
    "methodcaller", "__globals__", "__code__", "modules",
}  # fmt: skip
ATTRIBUTE_CALLS = {"getattr", "setattr", "delattr", "hasattr"}
# CPython 3.11's parser keeps a recursion counter that threads parsing at once can corrupt
# ("SystemError: AST constructor recursion depth mismatch"): one parse at a time.
_PARSE_LOCK = threading.Lock()


@dataclass
class Notebook:
    """Top-level definitions and imports of a notebook's code cells (last one wins).

    ``statements`` holds every top-level statement in notebook order with its cell index;
    ``definitions`` maps a name to the statements that define it: its last ``def``, ``class``
    or assignment, then the augmented assignments (``K += 1``), item or attribute assignments
    (``K[0] = 1``, ``net.weight = w``) and method calls (``K.fill_(1)``) made on it at top
    level afterwards. A compound statement at top level (``if``, ``try``, ``for``, ``while``,
    ``with``, ``match``) that binds a name (``try: import numpy as np``, ``if c: K = 1``,
    ``for k in ...: K[k] = ...``) is one of that name's definitions too, after those before
    it: the whole statement, which becomes answer code where an answer uses the name.
    ``imports`` maps a name to the import statement that binds it last. ``ambiguous``: names
    that an import inside a compound statement binds to another module than the notebook's
    other imports of that name (``try: import torch.nn.functional as F`` / ``except: import
    numpy as F``), which the method check cannot resolve to one module.
    """

    definitions: dict[str, list[ast.AST]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    imports: dict[str, ast.AST] = field(default_factory=dict)
    statements: list[tuple[int, ast.AST]] = field(default_factory=list)
    unparsed: list[int] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)


def _import_aliases(node: ast.AST, aliases: dict[str, str]) -> None:
    if isinstance(node, ast.Import):
        for a in node.names:
            if a.asname:
                aliases[a.asname] = a.name
            else:
                aliases[a.name.split(".")[0]] = a.name.split(".")[0]
    elif isinstance(node, ast.ImportFrom) and node.module:
        for a in node.names:
            aliases[a.asname or a.name] = f"{node.module}.{a.name}"


def _root_name(node: ast.AST) -> str | None:
    """``K`` for ``K[0]``, ``K.data``, ``K.fill_`` (through subscripts and attributes)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _bound_by_import(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom):
        return [a.asname or a.name for a in node.names]
    return []


COMPOUND = (ast.If, ast.Try, ast.TryStar, ast.For, ast.AsyncFor, ast.While, ast.With,
            ast.AsyncWith, ast.Match)  # fmt: skip
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda) + _COMPREHENSIONS


def _module_level(node: ast.AST):
    """The nodes of a compound statement that run in the module's scope: not the bodies of
    the functions, classes, lambdas and comprehensions in it (their names and decorators are)."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if isinstance(current, _SCOPES) and current is not node:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                todo.extend(current.decorator_list)
            continue
        todo.extend(ast.iter_child_nodes(current))


def _compound_bindings(node: ast.AST) -> tuple[set[str], set[str]]:
    """The names a compound statement binds at module level, and the roots of the items and
    attributes it assigns (``K`` of ``K[k] = ...``)."""
    bound: set[str] = set()
    roots: set[str] = set()
    for n in _module_level(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            bound.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            bound.add(n.name)
        elif isinstance(n, ast.MatchMapping) and n.rest:
            bound.add(n.rest)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            bound.update(_bound_by_import(n))
        elif isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, ast.Store):
            root = _root_name(n)
            if root is not None:
                roots.add(root)
    return bound, roots


def _compound(nb: Notebook, node: ast.AST) -> None:
    """Record a top-level compound statement as a definition of the names it binds, and the
    aliases of the imports in it."""
    for n in _module_level(node):
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            before = dict(nb.aliases)
            _import_aliases(n, nb.aliases)
            for name, target in nb.aliases.items():
                if name in before and before[name] != target:
                    nb.ambiguous.add(name)
    bound, roots = _compound_bindings(node)
    for name in bound | (roots & set(nb.definitions)):
        # It may not run (a branch, an except clause): what the name held before stays too.
        nb.definitions.setdefault(name, []).append(node)


def parse(cells: list[tuple[int, str]]) -> Notebook:
    """Collect definitions from code cells (index, source); cells that do not parse are listed.
    IPython's lines (``%matplotlib inline``, ``%%time``, ``!pip ...``) are read as the runner
    runs them (``runner.python_source``: they do nothing)."""
    nb = Notebook()
    for index, source in cells:
        try:
            with _PARSE_LOCK:
                tree = ast.parse(python_source(source))
        except SyntaxError:
            nb.unparsed.append(index)
            continue
        for node in tree.body:
            nb.statements.append((index, node))
            _import_aliases(node, nb.aliases)
            for name in _bound_by_import(node):
                nb.imports[name] = node
                nb.definitions.pop(name, None)
                nb.ambiguous.discard(name)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                nb.definitions[node.name] = [node]
                nb.imports.pop(node.name, None)
            elif isinstance(node, COMPOUND):
                _compound(nb, node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, (ast.Attribute, ast.Subscript)):
                        root = _root_name(target)
                        if root in nb.definitions:  # K[0] = 1: part of K's definition
                            nb.definitions[root].append(node)
                        continue  # on an import (torch.x = ...): never part of an answer
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            nb.imports.pop(name.id, None)
                            nb.definitions.setdefault(name.id, [])
                            if isinstance(node, ast.AugAssign):
                                nb.definitions[name.id].append(node)
                            else:
                                nb.definitions[name.id] = [node]
            elif (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
            ):
                root = _root_name(node.value.func)
                first = node.value.args[0] if node.value.args else None
                if root in nb.definitions:  # K.fill_(1): part of K's definition
                    nb.definitions[root].append(node)
                elif (
                    node.value.func.attr.endswith("_")
                    and isinstance(first, ast.Name)
                    and first.id in nb.definitions
                ):  # torch.nn.init.constant_(K, 1): an in-place function, part of K's too
                    nb.definitions[first.id].append(node)
    return nb


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


@dataclass
class Usage:
    words: set[str] = field(default_factory=set)
    dotted: set[str] = field(default_factory=set)
    opaque: set[str] = field(default_factory=set)
    followed: list[str] = field(default_factory=list)
    free: set[str] = field(default_factory=set)  # top-level names the code refers to
    loops: list[ast.AST] = field(default_factory=list)  # the loops that count as <loop>


_UNKNOWN = object()
_FOLD_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
}  # fmt: skip
_FOLD_COMPARE = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}  # fmt: skip


def _fold(node: ast.AST):
    """The value of an expression the source fixes (constants, empty or literal containers,
    ``not``, unary and binary arithmetic on numbers, comparisons and ``and``/``or`` of such
    values), else ``_UNKNOWN``. Nothing is run: only these operators on plain constants."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_fold(e) for e in node.elts]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else tuple(items)
    if isinstance(node, ast.Dict):
        return {} if not node.keys else _UNKNOWN
    if isinstance(node, ast.UnaryOp):
        value = _fold(node.operand)
        if value is _UNKNOWN:
            return _UNKNOWN
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return value
        return _UNKNOWN
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD_BINARY:
        a, b = _fold(node.left), _fold(node.right)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        if not numbers or abs(a) > 1e12 or abs(b) > 1e12:
            return _UNKNOWN
        try:
            return _FOLD_BINARY[type(node.op)](a, b)
        except ArithmeticError:
            return _UNKNOWN
    if isinstance(node, ast.Compare):
        values = [_fold(node.left), *(_fold(c) for c in node.comparators)]
        if any(v is _UNKNOWN or isinstance(v, tuple) for v in values):
            return _UNKNOWN
        try:
            return (
                all(
                    _FOLD_COMPARE[type(op)](a, b)
                    for op, a, b in zip(node.ops, values, values[1:], strict=False)
                )
                if all(type(op) in _FOLD_COMPARE for op in node.ops)
                else _UNKNOWN
            )
        except TypeError:
            return _UNKNOWN
    if isinstance(node, ast.BoolOp):
        values = [_fold(v) for v in node.values]
        if any(v is _UNKNOWN for v in values):
            return _UNKNOWN
        result = values[0]
        for v in values[1:]:
            result = (result and v) if isinstance(node.op, ast.And) else (result or v)
        return result
    return _UNKNOWN


def _constant(node: ast.AST) -> tuple[bool, bool]:
    """(known, truth) of a condition whose value the source fixes: ``False``, ``0``, ``None``,
    ``""``, ``()``, ``not True``, ``1 > 2``, ``3 - 3``... (``_fold``)."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
        items = node.keys if isinstance(node, ast.Dict) else node.elts
        return True, bool(items)
    value = _fold(node)
    return (False, False) if value is _UNKNOWN else (True, bool(value))


def _empty_iterable(node: ast.AST) -> bool:
    """Whether a loop over ``node`` never runs its body: a literal empty container or string,
    or ``range`` with arguments the source fixes and no element (``range(0)``, ``range(2 - 2)``).
    """
    if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
        return not (node.keys if isinstance(node, ast.Dict) else node.elts)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes, tuple)) and not node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and node.args
        and not node.keywords
    ):
        values = [_fold(a) for a in node.args]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return False
        try:
            return len(range(*values)) == 0
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def _trivial(statement: ast.AST) -> bool:
    return isinstance(statement, (ast.Pass, ast.Break, ast.Continue)) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    )


def _live_block(statements: list[ast.AST]) -> list[ast.AST]:
    """The statements of a block up to and including the first that leaves it."""
    kept = []
    for statement in statements:
        kept.append(statement)
        if isinstance(statement, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
            break
    return kept


def _called_names(nodes: list[ast.AST]) -> set[str]:
    """Names that live code calls, or passes on (as an argument, a return value, an assigned
    value or an element): the nested functions that may run."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def live_walk(root: ast.AST):
    """Like ``ast.walk``, but only the nodes of code that can run (see the module's text).

    A loop that cannot run or does nothing is not yielded (its iterable is), so that it does
    not count as ``<loop>``; nested functions are walked only where the live code uses their
    name other than in a bare statement."""
    out: list[ast.AST] = []
    nested: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not root:
            out.append(node)  # its name; its body only if used (below)
            for d in node.decorator_list:
                visit(d)
            nested.append(node)
            return
        if isinstance(node, (ast.If, ast.While)):
            known, truth = _constant(node.test)
            if isinstance(node, ast.If):
                visit(node.test)
                if not known or truth:
                    block(node.body)
                if not known or not truth:
                    block(node.orelse)
                return
            visit(node.test)
            if not (known and not truth):
                body = _live_block(node.body)
                if not all(_trivial(s) for s in body):
                    out.append(node)
                block(node.body)
            block(node.orelse)
            return
        if isinstance(node, (ast.For, ast.AsyncFor)):
            visit(node.iter)
            if not _empty_iterable(node.iter):
                body = _live_block(node.body)
                if not all(_trivial(s) for s in body):
                    out.append(node)
                visit(node.target)
                block(node.body)
            block(node.orelse)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            # A comprehension counts as a loop only if its element can be computed.
            first = node.generators[0]
            visit(first.iter)
            if _empty_iterable(first.iter):
                return
            for i, gen in enumerate(node.generators):
                if i:
                    visit(gen.iter)
                visit(gen.target)
                never = False
                for cond in gen.ifs:
                    visit(cond)
                    known, truth = _constant(cond)
                    never = never or (known and not truth)
                if never or (i and _empty_iterable(gen.iter)):
                    return
            out.append(node)
            out.extend(node.generators)
            for part in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
                visit(part)
            return
        if isinstance(node, ast.IfExp):
            visit(node.test)
            known, truth = _constant(node.test)
            if not known or truth:
                visit(node.body)
            if not known or not truth:
                visit(node.orelse)
            return
        if isinstance(node, ast.BoolOp):
            out.append(node)
            for value in node.values:
                visit(value)
                known, truth = _constant(value)
                if known and truth == isinstance(node.op, ast.Or):
                    return  # False and ...; True or ...: the rest never runs
            return
        if isinstance(node, ast.Assert):
            visit(node.test)  # its message runs only when the answer fails
            return
        if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Name, ast.Attribute)):
            return  # a bare name: nothing runs
        out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    def block(statements: list[ast.AST]) -> None:
        for statement in _live_block(statements):
            visit(statement)

    if isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)):
        out.append(root)
        visit(root.args)
        for d in root.decorator_list:
            visit(d)
        if root.returns:
            visit(root.returns)
        block(root.body)
    else:
        visit(root)
    walked: set[int] = set()
    while True:
        used = _called_names(out)
        todo = [n for n in nested if id(n) not in walked and n.name in used]
        if not todo:
            break
        for n in todo:
            walked.add(id(n))
            visit(n.args)
            block(n.body)
    return out


def usage(nb: Notebook, roots: list[str], live: bool = False) -> Usage:
    """Every name the definitions of ``roots`` use, following the notebook's own names.

    ``live``: only the code that can run (``live_walk``), for ``require`` rules."""
    found = Usage()
    todo, seen = list(roots), set()
    while todo:
        name = todo.pop()
        if name in seen or name not in nb.definitions:
            continue
        seen.add(name)
        found.followed.append(name)
        for definition in nb.definitions[name]:
            aliases = dict(nb.aliases)
            for node in ast.walk(definition):
                _import_aliases(node, aliases)
            local = _local_names(definition)
            for node in live_walk(definition) if live else ast.walk(definition):
                _visit(node, aliases, found, todo, local)
    return found


def _add_dotted(parts: list[str], aliases: dict[str, str], found: Usage) -> None:
    root = aliases.get(parts[0], parts[0])
    full = [*root.split("."), *parts[1:]]
    for i in range(1, len(full) + 1):
        found.dotted.add(".".join(full[:i]))
    found.words.update(full)


def _local_names(definition: ast.AST) -> set[str]:
    """Arguments and assigned names of a function: never the notebook's top-level names."""
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    local = {a.arg for a in ast.walk(definition.args) if isinstance(a, ast.arg)}
    for node in ast.walk(definition):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    return local


def _visit(
    node: ast.AST, aliases: dict[str, str], found: Usage, todo: list[str], local: set[str]
) -> None:
    if isinstance(node, ast.Name):
        found.words.add(node.id)
        if node.id not in local:
            todo.append(node.id)
            found.free.add(node.id)
        if node.id in aliases:
            _add_dotted([node.id], aliases, found)
        if node.id in OPAQUE_NAMES:
            found.opaque.add(node.id)
    elif isinstance(node, ast.Attribute):
        found.words.add(node.attr)
        parts = _dotted(node)
        if parts:
            _add_dotted(parts, aliases, found)
        if node.attr in OPAQUE_NAMES:
            found.opaque.add(node.attr)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        for a in node.names:
            full = f"{module}.{a.name}" if module else a.name
            _add_dotted(full.split("."), {}, found)
            if "importlib" in full.split("."):
                found.opaque.add("importlib")
    elif isinstance(node, ast.Compare):
        found.words.add(COMPARISON)
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
        found.words.add(LOOP)
        if not isinstance(node, ast.comprehension):
            found.loops.append(node)
    elif isinstance(node, _COMPREHENSIONS):
        found.loops.append(node)  # its generators add <loop>
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in OPAQUE_CALLS:
            found.opaque.add(f"{node.func.id}()")
        if node.func.id in ATTRIBUTE_CALLS and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.words.add(name.value)
                parts = _dotted(node.args[0])
                if parts:
                    _add_dotted([*parts, name.value], aliases, found)
            else:
                found.opaque.add(f"{node.func.id}() with a computed name")


def _matched(word: str, found: Usage) -> list[str]:
    """What ``word`` matches in ``found``: itself, or for a pattern the names it matches."""
    if "*" not in word:
        return [word] if _matches(word, found) else []
    pool = found.dotted if "." in word else found.words
    return sorted(n for n in pool if fnmatch.fnmatchcase(n, word))


def _matches(word: str, found: Usage) -> bool:
    pool = found.dotted if "." in word else found.words
    if "*" in word:  # a pattern (torch.*pool*): fnmatch's *, which also matches dots
        return any(fnmatch.fnmatchcase(name, word) for name in pool)
    return word in pool


def _answered(nb: Notebook, name: str) -> bool:
    """Whether ``name`` is defined with a body beyond a docstring, ``...`` or ``pass``."""
    for node in nb.definitions.get(name, []):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True
        for statement in node.body:
            trivial = isinstance(statement, ast.Pass) or (
                isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            )
            if not trivial:
                return True
    return False


def _rule_scope(words) -> tuple[list[str] | None, list[str]]:
    """A rule's names, and the functions it applies to (None: all of the question's)."""
    if isinstance(words, dict):
        scope = words.get("in")
        return (list(scope) if scope else None), list(words.get("names") or [])
    return None, list(words)


def _broken(
    nb: Notebook, rules: dict, functions: list[str], found: Usage, say: Messages = ENGLISH
) -> list[str]:
    missing = [f for f in functions if not _answered(nb, f)]
    scoped: dict[tuple[tuple[str, ...], bool], Usage] = {}

    def usage_in(scope: list[str] | None, live: bool = False) -> Usage:
        if scope is None and not live:
            return found
        key = (tuple(functions if scope is None else scope), live)
        if key not in scoped:
            scoped[key] = usage(nb, list(key[0]), live=live)
        return scoped[key]

    broken = []
    for text, words in (rules.get("forbid") or {}).items():
        scope, names = _rule_scope(words)
        found_in = usage_in(scope)
        used = sorted({m for w in names for m in _matched(w, found_in)})
        if used:
            shown = ", ".join(f"`{w}`" for w in used)
            broken.append(say("rule_uses", rule=say.text(text), names=shown))
    for text, words in (rules.get("require") or {}).items():
        scope, names = _rule_scope(words)
        answered = not [f for f in (scope or functions) if f in missing]
        # Only code that can run satisfies a requirement (`if False: F.conv2d` does not).
        if answered and not any(_matches(w, usage_in(scope, live=True)) for w in names):
            shown = say("or").join(f"`{w}`" for w in names)
            broken.append(say("rule_never", rule=say.text(text), names=shown))
    return broken


def loop_requirements(nb: Notebook, rules: dict, functions: list[str]) -> list[dict]:
    """The ``require`` rules that only a ``<loop>`` meets, with the loops that meet them.

    The source shows that a loop can run, not that it does: ``for i in range(n)`` with an
    ``n`` that is 0 at run time, or a loop under a condition that never holds, next to a
    vectorized call that does the work. So these rules are checked again while the tests run
    (``instrument``): in every call of the rule's functions that returns a value, these loops
    must enter their bodies at least once, or, for a rule with ``per_value: true``, at least
    as many times in all as the result has values (loops over the output positions: a loop
    over the window's offsets, vectorized over the outputs, runs fewer times)."""
    found_rules = []
    for text, words in (rules.get("require") or {}).items():
        scope, names = _rule_scope(words)
        if LOOP not in names:
            continue
        roots = list(scope or functions)
        found = usage(nb, roots, live=True)
        if not found.loops or any(_matches(w, found) for w in names if w != LOOP):
            continue  # broken already, or met by another name than <loop>
        per_value = bool(isinstance(words, dict) and words.get("per_value"))
        found_rules.append(
            {"rule": text, "functions": roots, "loops": found.loops, "per_value": per_value}
        )
    return found_rules


def instrument(body: list[ast.AST], loops: list[ast.AST], counter: str) -> list[ast.AST]:
    """A copy of ``body`` in which loop ``k`` of ``loops`` calls ``counter(k)`` each time it
    enters its body: as the body's first statement (``for``, ``while``), or as the last
    condition of a comprehension's last ``for`` (``if not counter(k)``: the runner's counter
    returns None), so that it counts only elements that are computed. ``body`` itself (the
    notebook's parsed statements, shared between questions) is not changed."""
    memo: dict = {}
    copied = copy.deepcopy(body, memo)
    for k, loop in enumerate(loops):
        twin = memo.get(id(loop))
        if twin is None:  # not in the module: it can never run
            continue
        mark = ast.Call(func=ast.Name(id=counter, ctx=ast.Load()), args=[ast.Constant(k)],
                        keywords=[])  # fmt: skip
        if isinstance(twin, (ast.For, ast.AsyncFor, ast.While)):
            twin.body.insert(0, ast.Expr(value=mark))
        else:
            twin.generators[-1].ifs.append(ast.UnaryOp(op=ast.Not(), operand=mark))
    return copied


def answer_statements(nb: Notebook, found: Usage) -> list[ast.AST]:
    """The statements of the answer module: first the imports of the names the answer uses
    (the last import of each, cut down to those names), then the definitions ``found``
    followed, in notebook order. Imports come first because they need no student code, while
    a module-level name may have been computed before a later cell imported again."""
    chosen = {id(d) for name in found.followed for d in nb.definitions.get(name, [])}
    imports = {id(nb.imports[n]): nb.imports[n] for n in found.free if n in nb.imports}
    body: list[ast.AST] = []
    definitions = [node for _, node in nb.statements if id(node) in chosen]
    for _, node in nb.statements:
        if id(node) in imports:
            names = [a for a in node.names if (a.asname or a.name.split(".")[0]) in found.free]
            if isinstance(node, ast.ImportFrom):
                names = [a for a in node.names if (a.asname or a.name) in found.free]
            cut = (
                ast.Import(names=names)
                if isinstance(node, ast.Import)
                else ast.ImportFrom(module=node.module, names=names, level=node.level)
            )
            body.append(ast.copy_location(cut, node))
    return body + definitions


def _shared(nb: Notebook) -> set[str]:
    """The notebook's top-level classes and functions, also those defined inside a top-level
    compound statement (``if ...: def helper(...)``)."""
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    shared = {n for n, ds in nb.definitions.items() if ds and isinstance(ds[0], kinds)}
    for _, node in nb.statements:
        if isinstance(node, COMPOUND):
            shared |= {n.name for n in _module_level(node) if isinstance(n, kinds)}
    return shared


def check(
    nb: Notebook, rules: dict, names: list[str] | None = None, say: Messages = ENGLISH
) -> dict:
    """Verdict for one question: broken rules (score 0), integrity problems (score 0, review),
    reasons for review, and the answer module: the code the tests will call.

    ``names``: the names the question's tests take (its roots, with ``rules['functions']``);
    ``say``: the language of the broken rules' texts (``messages.py``).

    ``counter`` and ``loops``: where a rule is met only by loops (``loop_requirements``), the
    name through which the module counts the loops that run, and per rule its text, its
    functions and the numbers of its loops; the runner reports, per call, the loops that
    entered their body (``session.loops_not_run`` decides).
    """
    functions = rules.get("functions", [])
    roots = list(dict.fromkeys([*functions, *(names or [])]))
    found = usage(nb, roots)
    broken = _broken(nb, rules, functions, found, say)
    body = answer_statements(nb, found)
    shared = _shared(nb)
    shared |= integrity.borrowed_globals([n for _, n in nb.statements], nb.aliases, shared)
    problems = integrity.answer_problems(body, nb.aliases, shared)
    problems += [
        f"`{name}` is imported as different modules by a top-level `if`, `try`... statement: "
        "which one the answer uses cannot be read from the source"
        for name in sorted(found.free & nb.ambiguous)
    ]
    # Rules met only by loops are checked again at run time: the module counts, through a
    # name no student code can spell (a fresh random dunder), which loops entered their body.
    requirements, counter = [], None
    if not broken:
        requirements = loop_requirements(nb, rules, functions)
    if requirements:
        counter = f"__loop_{secrets.token_hex(8)}__"
        loops = list({id(n): n for r in requirements for n in r["loops"]}.values())
        index = {id(n): k for k, n in enumerate(loops)}
        body = instrument(body, loops, counter)
        requirements = [
            {
                "rule": r["rule"],
                "functions": r["functions"],
                "loops": sorted({index[id(n)] for n in r["loops"]}),
                "per_value": r["per_value"],
            }
            for r in requirements
        ]
    with _PARSE_LOCK:
        module = ast.unparse(ast.Module(body=body, type_ignores=[]))
    review = [
        f"uses {r}: what it calls cannot be checked from the source" for r in sorted(found.opaque)
    ]
    review += [f"inspects or patches the running program: {p}" for p in problems]
    return {
        "broken": broken,
        "integrity": problems,
        "review": review,
        "followed": sorted(set(found.followed) - set(functions)),
        "module": module,
        "counter": counter,
        "loops": requirements,
        "statements": {id(n) for name in found.followed for n in nb.definitions.get(name, [])},
    }


def top_level_patches(nb: Notebook, answered: set[int]) -> list[str]:
    """Review notes for top-level code outside every answer that inspects or patches the
    program: it never runs while scores are decided, but a teacher should see the attempt."""
    shared = _shared(nb)
    notes = []
    cells: dict[int, list[ast.AST]] = {}
    for index, node in nb.statements:
        if id(node) not in answered:
            cells.setdefault(index, []).append(node)
    for index, nodes in cells.items():
        found = integrity.program_patches(nodes, nb.aliases, shared)
        if found:
            notes.append(
                f"cell {index} (top-level code, not run while scoring) inspects or patches "
                f"the running program: {', '.join(found)}"
            )
    return notes
