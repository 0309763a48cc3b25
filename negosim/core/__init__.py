"""What every decision model shares: the compiled scenario, its sampling, utilities, statuses
and the tidy result frames.  Nothing here imports Mesa, matplotlib or Dask."""
