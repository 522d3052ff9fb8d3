"""Scripts for preparing data, importable as modules too (`from tools import
contractsfinder_to_jsonl`) with the project root on `sys.path`, as bench/ and the tests have it.
"""
