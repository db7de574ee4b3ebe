"""Routes of the member register (me); see coop/members/__init__.py for the blueprints."""
