"""How every command's ``--help`` names its arguments: by the metavar a person reads (``DEST``,
``FEATURE``), not with the ``<str>`` or ``<path>`` typer adds."""

from typing import Any

from typer.core import TyperCommand


class PystarterCommand(TyperCommand):
    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or param.param_type_name not in sections:
                continue
            if param.param_type_name == "argument":
                record = (param.metavar or (param.name or "").upper(), record[1])
            sections[param.param_type_name].append(record)
        for title, key in (("Arguments", "argument"), ("Options", "option")):
            if sections[key]:
                with formatter.section(title):
                    formatter.write_dl(sections[key])
