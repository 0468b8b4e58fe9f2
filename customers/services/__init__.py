"""Modules are split by sub-domain; import from the submodule (e.g. ``from customers.services.sessions import session_record``)."""
