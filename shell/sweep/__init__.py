"""`backable sweep`: many simulations over a grid of parameters and seeds, each one the engine's
run of `backable simulate`, with their results in one CSV file, summarised per grid point and
set beside the closed-form odds of adversaries filling a backing group.

- ``grid.py``: the grid's options and values, expanded into the ordered list of runs (pure).
- ``results.py``: the results file: its fixed header, a row per run appended as it ends, resuming.
- ``runner.py``: one run in a worker process, a report turned into a row, a failure into a row.
- ``executors.py``: the local process pool and the Dask cluster, behind one interface.
- ``driver.py``: the runs the results file lacks, each one's row appended as it finishes.
- ``progress.py``: runs done, failed and remaining, with the time left, on stderr.
- ``odds.py``: the closed form: hypergeometric odds of a group at or over a third (pure).
- ``stats.py``: means and Student-t 95% intervals over seeds (pure).
- ``summary.py``: the table per grid point, the closed form beside the measured mean.
- ``plot.py``: an outcome against a parameter, one line per value of another, with bands.
"""
