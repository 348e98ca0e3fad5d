"""Hostile: GENERATOR is not a theory.Generator."""
GENERATOR = {"name": "dict", "outputs": ["s1"]}
