"""Single-file test plugin that fails at import."""

raise ImportError("this plugin needs the package 'not-installed-anywhere'")
