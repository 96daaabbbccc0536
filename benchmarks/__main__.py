"""``python -m benchmarks``: run the benchmark rows, print a Markdown table, write JSON."""

import sys

from benchmarks.run import main

if __name__ == "__main__":
    sys.exit(main())
