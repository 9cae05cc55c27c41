"""The figures' revision counter (decision 76), with its shares created."""

from django.db import migrations, models

SHARES = 64


def create_shares(apps, schema_editor):
    revision = apps.get_model("indicators", "FiguresRevision")
    revision.objects.using(schema_editor.connection.alias).bulk_create(
        [revision(pk=pk, number=0) for pk in range(1, SHARES + 1)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_figures_past_their_columns")]

    operations = [
        migrations.CreateModel(
            name="FiguresRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "revision of the figures",
                "verbose_name_plural": "revisions of the figures",
            },
        ),
        migrations.RunPython(create_shares, migrations.RunPython.noop, elidable=True),
    ]
