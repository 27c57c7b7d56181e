"""One account per email address: required, unique, stored lower-cased.

A database made before this migration may hold accounts without an email, or addresses that
differ only in case: then it stops and lists them, changing nothing, so that you can fix them
(in the admin, or with `manage.py shell`) and run `migrate` again.
"""

from collections import defaultdict
from typing import Any

import django.db.models.functions.text
from django.apps.registry import Apps
from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def lower_case_emails(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    User: Any = apps.get_model("users", "User")
    users = User.objects.using(schema_editor.connection.alias).order_by("pk")
    by_address: defaultdict[str, list[Any]] = defaultdict(list)
    for user in users.only("pk", "username", "email"):
        by_address[user.email.strip().lower()].append(user)
    empty = by_address.pop("", [])
    problems = [f"no email: {', '.join(user.username for user in empty)}"] if empty else []
    problems += [
        f"{address}: {', '.join(f'{user.username} ({user.email})' for user in same)}"
        for address, same in by_address.items()
        if len(same) > 1
    ]
    if problems:
        raise CommandError(
            "Each account needs an email address of its own (case does not count). Give these"
            " accounts one, then run migrate again:\n  " + "\n  ".join(problems)
        )
    for address, (user,) in by_address.items():
        if user.email != address:
            users.filter(pk=user.pk).update(email=address)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(lower_case_emails, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                error_messages={"unique": "An account with this email address already exists."},
                max_length=254,
                unique=True,
                verbose_name="email address",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", django.db.models.functions.text.Lower("email"))),
                name="users_user_email_lower_case",
            ),
        ),
    ]
