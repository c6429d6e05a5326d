"""The helpers of the chapter on speed, in pooling_book.drawing: slot_animation, value_grid
and bench_plot (on a small results file written here, and on the results shipped with the
package)."""

from __future__ import annotations

import json
import re

import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from pooling_book.drawing.bench_plot import (
    RESULTS,
    load_results,
    plot_ratios,
    plot_suite,
    plot_times,
)
from pooling_book.drawing.doubling import doubling_figure, doubling_levels
from pooling_book.drawing.slot_animation import slot_animation, slot_steps
from pooling_book.drawing.value_grid import draw_value_grid, format_cell
from pooling_book.settings import PoolSettings


@pytest.mark.parametrize(
    "kwargs",
    [dict(kernel_size=2), dict(kernel_size=3, stride=1), dict(kernel_size=3, stride=2, padding=1),
     dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1))],
)  # fmt: skip
def test_slot_steps_end_in_max_pooling(kwargs):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(6, 7, generator=g)
    steps = slot_steps(X, **kwargs)
    Y = F.max_pool2d(X[None], **kwargs)[0]
    k = kwargs["kernel_size"]
    k_h, k_w = (k, k) if isinstance(k, int) else k
    assert [s.slot for s in steps] == [(a, b) for a in range(k_h) for b in range(k_w)]
    assert torch.equal(steps[-1].output, Y)
    padded = F.pad(X, (1, 1, 1, 1), value=float("-inf"))
    for step in steps:
        assert step.values.shape == Y.shape
        read = torch.tensor([padded[r + 1, c + 1].item() for r, c in step.cells])
        assert torch.equal(read, step.values.flatten())  # the cells are the slice's cells


def test_slot_steps_errors():
    with pytest.raises(ValueError, match=r"X must be a 2-D tensor \(H, W\), got \(1, 4, 4\)"):
        slot_steps(torch.zeros(1, 4, 4), 2)
    with pytest.raises(ValueError, match=r"padding=\(2, 2\) must be at most half the kernel"):
        slot_steps(torch.zeros(4, 4), 2, padding=2)
    with pytest.raises(ValueError, match=r"mode='avg' must be one of \['max'\]"):
        slot_steps(torch.zeros(4, 4), PoolSettings.create("avg", kernel_size=2))
    with pytest.raises(ValueError, match="ceil_mode=True is not drawn here"):
        slot_steps(torch.zeros(4, 4), 2, ceil_mode=True)
    with pytest.raises(TypeError, match="at most 5 positional pooling values"):
        slot_steps(torch.zeros(4, 4), 2, 2, 0, 1, False, True)


def test_slot_steps_take_pool_settings():
    X = torch.arange(25.0).reshape(5, 5)
    settings = PoolSettings.create("max", kernel_size=3, stride=2, padding=1)
    assert [s.cells for s in slot_steps(X, settings)] == [s.cells for s in slot_steps(X, 3, 2, 1)]


def test_slot_animation_has_a_frame_per_slot():
    html = slot_animation(torch.arange(16.0).reshape(4, 4), 3, 1).data
    assert len(re.findall(r"frames\[\d+\] = \"data:image/png;base64", html)) == 9


def test_value_grid_cells_and_texts():
    fig = Figure()
    ax = fig.subplots()
    draw_value_grid(
        ax, torch.tensor([[0.0, 1.5], [float("-inf"), 2.0]]), {(0, 1): "#ff0000"}, "g", (1, 0)
    )
    assert len(ax.patches) == 4 + 2 * 2  # 2x2 cells plus a padding row above and below
    assert [t.get_text() for t in ax.texts] == ["0", "1.5", "-inf", "2"]
    red = [p for p in ax.patches if p.get_facecolor()[:3] == (1.0, 0.0, 0.0)]
    assert len(red) == 1 and red[0].get_xy() == (1, -1)
    assert format_cell(0.25, ".2f") == "0.25" and format_cell(float("inf")) == "inf"
    with pytest.raises(ValueError, match=r"values must be 2-D \(H, W\), got shape \(3,\)"):
        draw_value_grid(ax, torch.zeros(3))


def _row(workload, pool, pass_, loop, vec, nat):
    return {
        "workload": workload, "pool": pool, "pass": pass_, "loop_ms": loop,
        "vectorized_ms": vec, "native_ms": nat,
    }  # fmt: skip


@pytest.fixture
def results_file(tmp_path):
    rows = []
    for pool in ("max", "avg"):
        for pass_ in ("forward", "forward+backward"):
            rows.append(_row("small", pool, pass_, 10.0, 0.1, 0.05))
            rows.append(_row("large", pool, pass_, None, 20.0, 40.0))
    path = tmp_path / "pooling.json"
    path.write_text(json.dumps({"machine": {"cpu": "x"}, "timestamp": "t", "rows": rows}))
    return path


def test_load_results_and_lookups(results_file):
    results = load_results(results_file)
    assert results.workloads == ["small", "large"]
    assert results.ms("small", "max", "forward", "loop") == 10.0
    assert results.ms("large", "avg", "forward+backward", "loop") is None
    with pytest.raises(ValueError, match="no benchmark row for workload='huge'"):
        results.row("huge", "max", "forward")
    with pytest.raises(ValueError, match=r"impl='c' must be one of \['loop', 'vectorized'"):
        results.ms("small", "max", "forward", "c")


def test_load_results_errors(tmp_path, results_file):
    with pytest.raises(FileNotFoundError, match="run `make bench`"):
        load_results(tmp_path / "missing.json")
    data = json.loads(results_file.read_text())
    del data["rows"][3]["native_ms"]
    results_file.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"row 3 of .* lacks \['native_ms'\]"):
        load_results(results_file)
    (tmp_path / "empty.json").write_text(json.dumps({"machine": {}, "timestamp": "t", "rows": []}))
    with pytest.raises(ValueError, match="holds no rows"):
        load_results(tmp_path / "empty.json")


def _bars(fig: Figure) -> dict[str, float]:
    return {p.get_gid(): p.get_height() for ax in fig.axes for p in ax.patches if p.get_gid()}


def test_plots_draw_the_numbers(results_file):
    results = load_results(results_file)
    bars = _bars(plot_times(results, "forward"))
    assert bars["max-loop-small"] == 10.0 and bars["avg-native-large"] == 40.0
    assert "max-loop-large" not in bars  # the loop did not run there: no bar
    assert len(bars) == 2 * (3 + 2)
    ratios = _bars(plot_ratios(results))
    assert ratios["max-forward-small"] == pytest.approx(2.0)
    assert ratios["avg-forward+backward-large"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="pass_='backward' must be one of"):
        plot_times(results, "backward")


def test_shipped_results_load_and_plot():
    assert RESULTS.is_file(), "the benchmark results the book plots must ship in pooling_book"
    results = load_results()
    assert results.workloads
    for name in results.workloads:
        for pool in ("max", "avg"):
            for pass_ in ("forward", "forward+backward"):
                assert results.ms(name, pool, pass_, "vectorized") > 0
    assert _bars(plot_ratios(results))


def test_shipped_results_have_the_suite():
    results = load_results()
    assert len(results.suite) >= 16
    assert {r["pass"] for r in results.suite} == {"forward", "forward+backward"}
    fig = plot_suite(results)  # horizontal bars: the ratio is a bar's width
    bars = {p.get_gid(): p.get_width() for ax in fig.axes for p in ax.patches if p.get_gid()}
    assert len(bars) == len(results.suite)
    for i, r in enumerate(results.suite):
        assert bars[f"suite-{i}"] == pytest.approx(r["lib_ms"] / r["torch_ms"])
    assert set(results.growth_factors) == {"stride 1", "stride = window"}


def test_plot_suite_needs_suite_rows(results_file):
    with pytest.raises(ValueError, match="has no suite rows"):
        plot_suite(load_results(results_file))


def test_doubling_levels_are_max_pooling():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 10, (13,), generator=g).float()
    levels = doubling_levels(x, 6)
    assert levels.h == 4 and len(levels.runs) == 3
    for j in range(1, len(levels.runs)):  # each row: the row above and its shift by half
        h = 2 ** (j - 1)
        above = levels.runs[j - 1]
        assert torch.equal(levels.runs[j], torch.maximum(above[:-h], above[h:]))
    last = levels.runs[-1]  # a window of 6: the run of 4 at its start and the one ending at its end
    assert torch.equal(levels.windows, torch.maximum(last[:8], last[2:10]))
    assert torch.equal(levels.windows, F.max_pool1d(x[None], 6, 1)[0])
    fig = doubling_figure(x, 6, window=2)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match=r"kernel_size=14 must lie in \[1, 13\]"):
        doubling_levels(x, 14)
    with pytest.raises(ValueError, match=r"window=8 must lie in \[0, 7\]"):
        doubling_figure(x, 6, window=8)
