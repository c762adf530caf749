import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# Each item of provision in F and G with the advice it came from, for the review screen (issue 19): null for a
# draft checked before.
class Migration(migrations.Migration):
    dependencies = [('models', '0011_billing_terms_and_books_start')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Draft',
            name='qa_provision',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
