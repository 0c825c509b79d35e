"""What ``buying-groups`` shows a person at a terminal: argument and path checks, live
progress, the end-of-run summary and the run log file. No pipeline logic here; the commands
themselves are in :mod:`buying_groups.cli`."""
