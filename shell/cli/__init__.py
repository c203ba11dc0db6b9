"""The `backable` command line: one module per subcommand, the exit codes and input errors, the
JSON view of records, and the example block the package ships.
"""
