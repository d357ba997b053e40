"""`python -m graphnode.ai`."""

from graphnode.entrypoint import not_built_yet

if __name__ == "__main__":
    not_built_yet("ai", "issue #4")
