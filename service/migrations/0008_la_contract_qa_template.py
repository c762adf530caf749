import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# The LA's plan template profile for draft QA (issue 19): null keeps the per-draft detection.
class Migration(migrations.Migration):
    dependencies = [('models', '0007_download_links')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LaContract',
            name='qa_template',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
