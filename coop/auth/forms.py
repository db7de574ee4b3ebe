from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from coop.core.i18n import lazy_gettext as _l
from coop.core.passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_HINT = _l("At least %(n)d characters; common passwords are refused.", n=MIN_LENGTH)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), description=PASSWORD_HINT,
                             validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})


class CreateAccountForm(NewPasswordForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Language"), choices=[("", _l("As my browser prefers")),
                                                  ("nl", "Nederlands"), ("en", "English")],
                         validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""
