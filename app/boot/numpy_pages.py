"""In the app's process numpy allocates ordinary memory pages, not transparent huge pages.

numpy asks Linux for huge pages for every array of 4 MB or more (``madvise``). Where the kernel
compacts memory on demand to find them (``defrag`` set to ``madvise``, a common default), the first
write into a new training-sized array can wait tens or hundreds of milliseconds. When that write
happens inside a numpy call that holds the interpreter lock, the GUI thread waits with it. The work
the app's process does in worker threads (evaluating a model on MNIST's test set, explaining many
digits) makes arrays that large; drawing meanwhile froze now and then with huge pages and never
without them. The window's own arrays are far below 4 MB, so nothing else changes. A retrain runs in
a child process of its own, and the training command has no window: both keep numpy's default.
"""

from __future__ import annotations


def use_small_pages() -> bool:
    """Stop numpy asking for huge pages in this process; ``True`` if it was asking until now.

    numpy reads ``NUMPY_MADVISE_HUGEPAGE`` only when it is first imported, so the switch it offers
    at run time is used instead (numpy itself calls it from ``numpy/__init__.py``).
    """
    from numpy._core import multiarray

    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    return bool(switch(False)) if switch is not None else False
