import os

from django.core.wsgi import get_wsgi_application

from config.environment import APP_LOAD_ERROR, EnvironmentSettingError, exit_with

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except EnvironmentSettingError as error:
    exit_with(error, program="lyceum", code=APP_LOAD_ERROR)
