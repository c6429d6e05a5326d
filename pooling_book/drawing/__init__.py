"""Static figures and animations of the book, drawn with matplotlib from ``pooling_lib``.

One idea per module: ``palette`` (the colours), ``geometry`` (which input cells a window
reads), ``keywords`` (how a drawing takes a ``PoolSettings`` or pooling keywords),
``value_grid`` (a tensor drawn as cells), ``figures`` (the seed chapter's figure),
``axis_windows``, ``receptive_field``, ``slot_animation``, ``backward_animation`` and
``bench_plot``. Drawing code never imports the explorer.
"""
