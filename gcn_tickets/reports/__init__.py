"""Reports: tables and plots of runs, pure functions of result files."""
