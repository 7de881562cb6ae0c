"""bzr-workflow: an event-sourced workflow engine for class advisors (班主任)."""

__version__ = "0.1.0"
