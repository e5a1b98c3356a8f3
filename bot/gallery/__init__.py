"""The community gallery web site and the operator's try-it page, served by ``dreambot serve``."""
