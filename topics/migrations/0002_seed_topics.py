from django.db import migrations

# Names as in the ENVIRONET terms of reference; pages show them translated.
TOPICS = [
    ("A", "Hazardous waste, chemicals and pesticides, persistent organic pollutants (POPs)"),
    ("B", "Wildlife (fauna and flora)"),
    ("C", "Living modified organisms (LMO)"),
    ("D", "Ozone-depleting substances (ODS)"),
    ("E", "Illegal logging"),
    ("F", "Illegal fishing"),
    ("G", "Other / general interest"),
]


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("topics", "Topic")
    for position, (code, name) in enumerate(TOPICS):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("topics", "0001_initial")]
    operations = [migrations.RunPython(seed_topics, migrations.RunPython.noop)]
