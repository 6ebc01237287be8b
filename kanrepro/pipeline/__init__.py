"""Notebooks -> results -> claims -> report: parameters, the runner, notebook sessions, verdicts, the report."""
