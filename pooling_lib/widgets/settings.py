"""The settings a pooling explorer shows, and which of them each pooling mode uses.

``PoolSettings`` holds every control of the explorer (mode, kernel, stride, padding,
dilation, ceil_mode, count_include_pad, norm_type) as plain pairs of ints. PyTorch's three
2-D pools do not all take the same arguments, so :meth:`PoolSettings.effective` resets the
ones a mode ignores to their defaults:

========  ======================================================================
mode      arguments it takes
========  ======================================================================
``max``   kernel_size, stride, padding, dilation, ceil_mode
``avg``   kernel_size, stride, padding, ceil_mode, count_include_pad
``lp``    norm_type, kernel_size, stride, ceil_mode (no padding, no dilation)
========  ======================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["MODES", "PoolSettings", "USES", "as_pair"]

MODES: tuple[str, ...] = ("max", "avg", "lp")

# Which settings each mode reads; the explorer disables the other controls.
USES: dict[str, frozenset[str]] = {
    "max": frozenset({"kernel", "stride", "padding", "dilation", "ceil_mode"}),
    "avg": frozenset({"kernel", "stride", "padding", "ceil_mode", "count_include_pad"}),
    "lp": frozenset({"kernel", "stride", "ceil_mode", "norm_type"}),
}


def as_pair(value: int | tuple[int, int] | list[int], name: str) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(2, 3) -> (2, 3)``. Only the form is checked here.

    Whether the numbers are allowed (positive kernel, padding at most half the kernel, ...)
    is pooling_lib's rule, checked where the pooling runs.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        return (value, value)
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")


@dataclass(frozen=True)
class PoolSettings:
    """Every setting of one 2-D pooling, in the explorer's terms.

    All spatial settings are ``(h, w)`` pairs. ``stride=None`` means "the kernel size",
    PyTorch's default.
    """

    mode: str = "max"
    kernel: tuple[int, int] = (2, 2)
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True
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
        norm_type: float = 2.0,
    ) -> PoolSettings:
        """Build settings from PyTorch-style arguments (ints or pairs)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
            raise TypeError(f"norm_type must be a number, got {norm_type!r}")
        return cls(
            mode=mode,
            kernel=as_pair(kernel_size, "kernel_size"),
            stride=None if stride is None else as_pair(stride, "stride"),
            padding=as_pair(padding, "padding"),
            dilation=as_pair(dilation, "dilation"),
            ceil_mode=bool(ceil_mode),
            count_include_pad=bool(count_include_pad),
            norm_type=float(norm_type),
        )

    @property
    def step(self) -> tuple[int, int]:
        """The stride actually used: the kernel size when ``stride`` is None."""
        return self.kernel if self.stride is None else self.stride

    def uses(self, name: str) -> bool:
        """Whether this mode reads the setting ``name`` (see the table in the module doc)."""
        return name in USES[self.mode]

    def effective(self) -> PoolSettings:
        """These settings with the ones the mode ignores reset to their defaults."""
        out = replace(self, stride=self.step)
        if not self.uses("padding"):
            out = replace(out, padding=(0, 0))
        if not self.uses("dilation"):
            out = replace(out, dilation=(1, 1))
        if not self.uses("count_include_pad"):
            out = replace(out, count_include_pad=True)
        return out
