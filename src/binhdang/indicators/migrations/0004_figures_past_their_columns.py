"""Figures stored before the platform bounded them (issue 11) may lie past their column
(max_digits=18, decimal_places=4: below 10^14). SQLite kept them anyway, and every later read
of such a row fails, so the unit's pages answer 500. The figure cannot be right (no count of
people or agencies reaches 10^14); it is taken out of the row and written into the row's note,
where the officer sees it on the entry form and types the right one. PostgreSQL never held such
values, so this finds nothing there."""

from django.db import migrations

LIMIT = 10**14
FIELDS = ("numerator", "denominator", "value")


def clear_figures_past_their_columns(apps, schema_editor):
    """Move every figure of 10^14 or more out of its row, into the row's note."""
    table = apps.get_model("indicators", "DataValue")._meta.db_table
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    past = " OR ".join(f"ABS({quote(name)}) >= %s" for name in FIELDS)
    with connection.cursor() as cursor:
        # Read as text: a decimal converter is exactly what fails on these rows.
        cursor.execute(
            f"SELECT id, {', '.join(f'CAST({quote(n)} AS TEXT)' for n in FIELDS)}, note "
            f"FROM {quote(table)} WHERE {past}",
            [LIMIT] * len(FIELDS),
        )
        rows = cursor.fetchall()
        for pk, *figures, note in rows:
            removed = [
                f"{name}={text}"
                for name, text in zip(FIELDS, figures, strict=True)
                if text is not None and abs(float(text)) >= LIMIT
            ]
            line = "Số liệu cũ quá lớn, đã gỡ khỏi dòng này, hãy nhập lại: " + ", ".join(removed)
            cleared = ", ".join(
                f"{quote(name)} = CASE WHEN ABS({quote(name)}) >= %s THEN NULL "
                f"ELSE {quote(name)} END"
                for name in FIELDS
            )
            cursor.execute(
                f"UPDATE {quote(table)} SET {cleared}, {quote('note')} = %s WHERE id = %s",
                [*([LIMIT] * len(FIELDS)), f"{note}\n{line}".strip(), pk],
            )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_disaggregations")]

    operations = [
        migrations.RunPython(clear_figures_past_their_columns, migrations.RunPython.noop),
    ]
