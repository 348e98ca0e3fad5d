"""Hostile: the file calls sys.exit while it is loaded."""
import sys

sys.exit(7)
