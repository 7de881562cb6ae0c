"""bzr-workflow: an event-sourced workflow engine for class advisors (班主任)."""

from bzr_workflow._codecache import install as _install_codecache

_install_codecache()

__version__ = "0.1.0"
