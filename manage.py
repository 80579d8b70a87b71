#!/usr/bin/env python
"""Django's command-line utility; `keel` is the same with Keel's own commands first."""

import sys

from keel.cli import main

if __name__ == "__main__":
    sys.exit(main(["manage", *sys.argv[1:]]))
