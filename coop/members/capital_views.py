"""Routes of the member register (capital); see coop/members/__init__.py for the blueprints."""
