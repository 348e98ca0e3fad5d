"""The hostile corpus is data for tests/test_hostile.py: never import or collect these files."""

collect_ignore_glob = ["*.py", "*.toml", "*.txt"]
