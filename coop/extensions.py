"""Extensions are created here and bound to the app in ``create_app``."""
from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from coop.core.db import Base
from coop.core.i18n import CoopBabel

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = CoopBabel()


def client_address() -> str:
    """The client's address (ProxyFix has already applied X-Forwarded-For when configured)."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address, default_limits=[])
