from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's own user model, in place from the first migration.

    Add profile fields here: changing AUTH_USER_MODEL after the first migration is painful.
    """
