"""``PoolSettings``: the one list of pooling keywords the book's code passes around.

The explorer, the figures, the animations and the docs describe one 2-D pooling by the
keywords of ``torch.nn.functional``'s pools plus ``mode``. PyTorch's three 2-D pools do not
take the same keywords, so :meth:`PoolSettings.call_kwargs` keeps only the ones the mode's
function takes:

========  =====================================================================================
mode      ``torch.nn.functional`` function and the keywords it takes
========  =====================================================================================
``max``   ``max_pool2d``: kernel_size, stride, padding, dilation, ceil_mode
``avg``   ``avg_pool2d``: kernel_size, stride, padding, ceil_mode, count_include_pad,
          divisor_override
``lp``    ``lp_pool2d``: norm_type, kernel_size, stride, ceil_mode (no padding, no dilation)
========  =====================================================================================

Adding a keyword means one edit here (a field, and its entry in ``USES``). Only the form
of a value is checked here (an int or a pair of ints); whether the numbers obey PyTorch's
rules is ``pooling_lib.shapes``' job, checked where the pooling runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["MODES", "KEYWORDS", "USES", "PoolSettings", "as_pair"]

MODES: tuple[str, ...] = ("max", "avg", "lp")

# Every pooling keyword, in torch.nn.functional's order (mode first).
KEYWORDS: tuple[str, ...] = (
    "mode",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "ceil_mode",
    "count_include_pad",
    "divisor_override",
    "norm_type",
)

# The keywords each mode's function takes (besides ``mode``).
USES: dict[str, tuple[str, ...]] = {
    "max": ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "avg": (
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ),
    "lp": ("norm_type", "kernel_size", "stride", "ceil_mode"),
}

_PAIRS = ("kernel_size", "stride", "padding", "dilation")


def as_pair(value: object, name: str) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(2, 3) -> (2, 3)``; anything else raises ``TypeError`` naming
    ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} must be an int or a pair of ints")
    if isinstance(value, int):
        return (value, value)
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{name}={value!r} must be an int or a pair of ints")


@dataclass(frozen=True)
class PoolSettings:
    """Every keyword of one 2-D pooling; spatial ones as ``(h, w)`` pairs.

    ``stride=None`` means "the kernel size", PyTorch's default (:attr:`step` resolves it).
    Build it with :meth:`create`, which takes PyTorch-style ints or pairs::

        >>> PoolSettings.create("avg", kernel_size=3, padding=1).call_kwargs()
        {'kernel_size': (3, 3), 'stride': (3, 3), 'padding': (1, 1), 'ceil_mode': False, \
'count_include_pad': True, 'divisor_override': None}
    """

    mode: str = "max"
    kernel_size: tuple[int, int] = (2, 2)
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    norm_type: float = 2.0

    @classmethod
    def create(
        cls,
        mode: str = "max",
        kernel_size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
        norm_type: float = 2.0,
    ) -> PoolSettings:
        """Settings from PyTorch-style keywords (ints or pairs).

        Raises ``ValueError`` for an unknown ``mode`` and ``TypeError`` for a value of the
        wrong form (``kernel_size=1.5``, ``norm_type="2"``, ``divisor_override=2.0``).
        """
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} must be one of {MODES}")
        if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
            raise TypeError(f"norm_type={norm_type!r} must be a number")
        if divisor_override is not None and (
            isinstance(divisor_override, bool) or not isinstance(divisor_override, int)
        ):
            raise TypeError(f"divisor_override={divisor_override!r} must be None or an int")
        return cls(
            mode=mode,
            kernel_size=as_pair(kernel_size, "kernel_size"),
            stride=None if stride is None else as_pair(stride, "stride"),
            padding=as_pair(padding, "padding"),
            dilation=as_pair(dilation, "dilation"),
            ceil_mode=bool(ceil_mode),
            count_include_pad=bool(count_include_pad),
            divisor_override=divisor_override,
            norm_type=float(norm_type),
        )

    @property
    def step(self) -> tuple[int, int]:
        """The stride actually used: the kernel size when ``stride`` is None."""
        return self.kernel_size if self.stride is None else self.stride

    def uses(self, name: str) -> bool:
        """Whether this mode's function takes the keyword ``name``."""
        return name in USES[self.mode]

    def effective(self) -> PoolSettings:
        """These settings with ``stride`` resolved and the keywords the mode ignores reset to
        their defaults (what the pooling actually does)."""
        defaults = PoolSettings()
        changes = {
            name: getattr(defaults, name)
            for name in KEYWORDS[1:]
            if name != "stride" and not self.uses(name)
        }
        return dataclasses.replace(self, stride=self.step, **changes)

    def call_kwargs(self) -> dict[str, object]:
        """The keywords of this mode's ``torch.nn.functional`` (and ``pooling_lib``)
        function, in its order, with ``stride`` resolved."""
        s = self.effective()
        return {name: getattr(s, name) for name in USES[self.mode]}

    def replace(self, **changes: object) -> PoolSettings:
        """A copy with some keywords changed, given PyTorch-style (ints or pairs)."""
        current = {name: getattr(self, name) for name in KEYWORDS}
        current.update(changes)
        return PoolSettings.create(**current)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """All keywords, pairs as tuples (``stride`` may be None)."""
        return {name: getattr(self, name) for name in KEYWORDS}
