"""Single-file test plugin that registers something that is not a Family."""

from advisor import hookimpl


@hookimpl
def advisor_families(register):
    register("not a family class")
