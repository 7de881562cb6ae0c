"""The built-in institution policies, one TOML file each, named by policy id."""

from __future__ import annotations


def builtin_ids() -> list[str]:
    from importlib import resources  # not at import: it pulls in tempfile, shutil, zipfile...

    files = resources.files(__name__).iterdir()
    return sorted(f.name[:-5] for f in files if f.name.endswith(".toml"))


def builtin_text(policy_id: str) -> str | None:
    """The text of a built-in policy, or None when no built-in has that id."""
    from importlib import resources

    if policy_id not in builtin_ids():
        return None
    return resources.files(__name__).joinpath(f"{policy_id}.toml").read_text("utf-8")
