"""Routes of the member register (import); see coop/members/__init__.py for the blueprints."""
