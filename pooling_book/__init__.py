"""The book's own code: the drawings, the explorer and the data set of "Pooling, Interactively".

``pooling_book`` sits beside the library ``pooling_lib`` in the same distribution:

- ``pooling_book.drawing``: static figures and animations (matplotlib), with the one palette
  (``drawing.palette``) and the one window geometry for drawings (``drawing.geometry``);
- ``pooling_book.explorer``: the interactive pooling explorer;
- ``pooling_book.settings``: ``PoolSettings``, the one list of pooling keywords;
- ``pooling_book.data``: the small data set the chapters use.

The dependency points one way: ``pooling_book`` imports ``pooling_lib``; ``pooling_lib``
never imports ``pooling_book`` (``tests/test_import_direction.py`` enforces it).
"""
