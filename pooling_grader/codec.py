"""Plain data across the grading channel: JSON lines, tensors as dtype, shape and bytes.

Both sides use this module: the sandboxed runner (``runner.py``) encodes what the student's
code returns, the trusted grader (``session.py``) decodes it. Decoding never runs code: it
parses JSON and builds only ``torch.Tensor`` (exactly, through ``torch.frombuffer``),
``int``, ``float``, ``bool``, ``str``, ``None``, and tuples and lists of them. Nothing is
unpickled.

A value is encoded as itself (numbers, strings, ``None``), a JSON list (a Python list),
``{"tuple": [...]}`` or ``{"tensor": {"dtype": "float32", "shape": [2, 3], "data": base64}}``.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

MAX_LINE = 64 * 1024 * 1024  # bytes of one message; a longer one is refused
MAX_DEPTH = 16
# One value's size: far above any answer's, far below what would take long to encode and send
# (an 8000 x 8000 result once took 108 s to refuse by its line length).
MAX_ELEMENTS = 1 << 20  # of one tensor
MAX_ITEMS = 1 << 16  # of one list or tuple
MAX_CHARS = 1 << 20  # of one string

DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "uint8", "int8", "int16", "int32", "int64", "bool",
)  # fmt: skip


class NotPlainData(TypeError):
    """A value that cannot cross the channel (a tensor subclass, an object, a dict...)."""


def describe_type(value: Any) -> str:
    kind = type(value)
    name = (
        f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__name__
    )
    import torch

    if isinstance(value, torch.Tensor) and kind is not torch.Tensor:
        return f"{name} (a subclass of torch.Tensor)"
    return name


def encode(value: Any, depth: int = 0) -> Any:
    """JSON-ready form of ``value``; raises NotPlainData for anything but plain data."""
    import torch

    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if kind is str and len(value) > MAX_CHARS:
        raise NotPlainData(f"a string of {len(value)} characters (at most {MAX_CHARS})")
    if kind in (tuple, list, torch.Size) and len(value) > MAX_ITEMS:
        raise NotPlainData(f"a {kind.__name__} of {len(value)} items (at most {MAX_ITEMS})")
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind is tuple or kind is torch.Size:
        return {"tuple": [encode(v, depth + 1) for v in value]}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is torch.Tensor:
        if value.layout != torch.strided or value.device.type != "cpu" or value.is_quantized:
            raise NotPlainData(f"a {value.layout} tensor on {value.device} is not plain data")
        dtype = str(value.dtype).removeprefix("torch.")
        if value.numel() > MAX_ELEMENTS:
            raise NotPlainData(f"a tensor of {value.numel()} elements (at most {MAX_ELEMENTS})")
        if dtype not in DTYPES:
            raise NotPlainData(f"tensors of dtype {value.dtype} are not supported")
        flat = value.detach().resolve_conj().resolve_neg().contiguous().reshape(-1)
        data = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
        return {
            "tensor": {
                "dtype": dtype,
                "shape": list(value.shape),
                "data": base64.b64encode(data).decode("ascii"),
            }
        }
    module = getattr(kind, "__module__", "")
    if module == "numpy" and hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return encode(value.item(), depth + 1)  # a numpy scalar: its Python number
    raise NotPlainData(
        f"a value of type {describe_type(value)} is not plain data "
        "(allowed: torch.Tensor, numbers, strings, tuples and lists of them)"
    )


def decode(data: Any, depth: int = 0) -> Any:
    """The value ``encode`` encoded; raises NotPlainData on anything else."""
    import torch

    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [decode(v, depth + 1) for v in data]
    if kind is dict and len(data) == 1:
        ((tag, body),) = data.items()
        if tag == "tuple" and type(body) is list:
            return tuple(decode(v, depth + 1) for v in body)
        if tag == "float" and body in ("inf", "-inf", "nan"):
            return float(body)
        if tag == "tensor" and type(body) is dict and set(body) == {"dtype", "shape", "data"}:
            return _tensor(body, torch)
    raise NotPlainData("the message holds something that is not plain data")


def _tensor(body: dict, torch: Any) -> Any:
    dtype, shape, text = body["dtype"], body["shape"], body["data"]
    if dtype not in DTYPES or type(text) is not str or type(shape) is not list:
        raise NotPlainData("malformed tensor")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise NotPlainData("malformed tensor shape")
    torch_dtype = getattr(torch, dtype)
    raw = base64.b64decode(text, validate=True)
    count = math.prod(shape)
    if len(raw) != count * torch_dtype.itemsize:
        raise NotPlainData("tensor data does not match its shape")
    if count == 0:
        return torch.empty(shape, dtype=torch_dtype)
    return torch.frombuffer(bytearray(raw), dtype=torch_dtype).reshape(shape)


def dumps(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def loads(line: bytes) -> dict:
    message = json.loads(line)
    if type(message) is not dict:
        raise NotPlainData("a message must be a JSON object")
    return message
