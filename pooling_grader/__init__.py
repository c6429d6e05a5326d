"""pooling_grader: the sandboxed grader of the book's exercises (``pooling-grade``).

Modules, one idea each: ``cli`` (the command: find, grade, report), ``methods`` (method
rules and the answer module, from the source), ``integrity`` (code that inspects or patches
the running program), ``session`` (the trusted side of one submission), ``sandbox``
(bubblewrap), ``runner`` (the sandboxed side: the zygote and its fresh processes),
``codec`` (plain data across the channel), ``exports`` (Canvas and Moodle CSVs).
"""
