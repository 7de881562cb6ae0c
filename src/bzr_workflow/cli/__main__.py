"""`python -m bzr_workflow.cli ...`: the same command line as the installed `bzr-workflow` script."""

from . import main

if __name__ == "__main__":  # a tool that imports every module (the catalogue's) runs nothing
    main()
