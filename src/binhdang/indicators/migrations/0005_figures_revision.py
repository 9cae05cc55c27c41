"""The figures' revision counter (decision 76); its shares are made by the first save, so that
a migrated database stays empty (a restore refuses any other)."""

from django.db import migrations, models


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
    ]
