from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


def normalize_email(address: str) -> str:
    """The form an email address is stored and compared in: one account per address, whatever
    its case."""
    return address.strip().lower()


class User(AbstractUser):
    """The project's own user model, in place from the first migration.

    Add profile fields here: changing AUTH_USER_MODEL after the first migration is painful.
    """

    # Required and unique, stored lower-cased: a password reset finds exactly one account.
    email = models.EmailField(
        "email address",
        unique=True,
        error_messages={"unique": "An account with this email address already exists."},
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # A plain unique index works on every database (MariaDB has no expression
            # indexes); this check keeps what it compares lower-cased.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="users_user_email_lower_case"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)
