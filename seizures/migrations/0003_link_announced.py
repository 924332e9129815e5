from django.db import migrations, models

# The links their owners were told of under the rule before this one: every link within one organisation,
# and every link between two shared records. The others (another organisation's record and a draft) were
# told to nobody on one side at least: they are announced to both once both records are shared.
ANNOUNCED_BEFORE = """
UPDATE seizures_link SET announced = TRUE WHERE EXISTS (
    SELECT 1 FROM seizures_seizure AS low, seizures_seizure AS high
    WHERE low.id = seizures_link.low_id AND high.id = seizures_link.high_id
    AND (low.organisation_id = high.organisation_id OR (low.status <> 'draft' AND high.status <> 'draft'))
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("seizures", "0002_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="link",
            name="announced",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunSQL(ANNOUNCED_BEFORE, migrations.RunSQL.noop),
    ]
