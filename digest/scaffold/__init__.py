"""The files `digest init` writes for a new organisation (package data, not code).

Each file is a `string.Template`: `${root}`, `${digest}` and the example dates are
filled in when it is written; see digest/init.py.
"""
