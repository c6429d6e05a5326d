"""How a drawing takes its pooling keywords: a :class:`~pooling_book.settings.PoolSettings`,
or the keywords of the ``torch.nn.functional`` pool it draws, positionally or by name.

``slot_steps(X, 3, 2, 1)``, ``slot_steps(X, kernel_size=3, stride=2, padding=1)`` and
``slot_steps(X, PoolSettings.create("max", kernel_size=3, stride=2, padding=1))`` mean the
same: positional values follow the order of the mode's function (``F.max_pool2d(input,
kernel_size, stride, padding, dilation, ceil_mode)``, ``F.avg_pool2d(input, kernel_size,
stride, padding, ceil_mode, count_include_pad, divisor_override)``; ``settings.USES``). The
list of keywords lives in ``pooling_book.settings`` only, so a new keyword is one edit there.

A drawing that shows only part of what pooling can do (no dilation, say) names what it
draws in ``draws``; any other setting that differs from its default is refused with an
error that names the keyword, its value and what the drawing supports.
"""

from __future__ import annotations

from collections.abc import Mapping

from pooling_book.settings import KEYWORDS, USES, PoolSettings

__all__ = ["settings_from_call"]


def settings_from_call(
    fn: str,
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
    modes: tuple[str, ...],
    draws: tuple[str, ...],
) -> PoolSettings:
    """The :class:`PoolSettings` of a call ``fn(X, *args, **kwargs)``.

    ``args`` is one ``PoolSettings`` (and then ``kwargs`` must be empty) or the mode's
    positional keywords; ``kwargs`` may add ``mode`` (default ``modes[0]``) and keywords by
    name. ``modes`` are the modes the drawing draws; ``draws`` the keywords it can show
    (every other keyword must keep its default).

    Raises ``TypeError`` for an unknown or repeated keyword, too many positional values or
    a value of the wrong form, and ``ValueError`` for a mode or a setting the drawing does
    not draw (naming the keyword, its value and what is supported).
    """
    if args and isinstance(args[0], PoolSettings):
        if len(args) > 1 or kwargs:
            raise TypeError(f"{fn}: pass either a PoolSettings or pooling keywords, not both")
        settings = args[0]
    else:
        named = dict(kwargs)
        mode = named.pop("mode", modes[0])
        if mode not in modes:
            raise ValueError(f"{fn}: mode={mode!r} must be one of {list(modes)}")
        order = USES[mode]  # type: ignore[index]
        if len(args) > len(order):
            raise TypeError(
                f"{fn}: takes at most {len(order)} positional pooling values "
                f"({', '.join(order)}) for mode={mode!r}, got {len(args)}"
            )
        for name in named:
            if name not in KEYWORDS:
                raise TypeError(f"{fn}: unknown keyword {name!r}; pooling keywords: {KEYWORDS}")
        for name, value in zip(order, args, strict=False):
            if name in named:
                raise TypeError(f"{fn}: got multiple values for {name!r}")
            named[name] = value
        if "kernel_size" not in named:
            raise TypeError(f"{fn}: missing the pooling keyword 'kernel_size'")
        settings = PoolSettings.create(mode=mode, **named)  # type: ignore[arg-type]
    if settings.mode not in modes:
        raise ValueError(f"{fn}: mode={settings.mode!r} must be one of {list(modes)}")
    defaults = PoolSettings(mode=settings.mode)
    for name in USES[settings.mode]:
        value = getattr(settings, name)
        if name not in draws and value != getattr(defaults, name):
            raise ValueError(
                f"{fn}: {name}={value!r} is not drawn here; this drawing shows "
                f"{', '.join(draws)} (every other keyword at its default)"
            )
    return settings
