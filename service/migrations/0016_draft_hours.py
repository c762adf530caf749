from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """The hours a writer says a draft took (optional, given with the upload) and the estimate the bundle was planned
    with then: what allocation learns each writer's speed from."""

    dependencies = [('models', '0015_billing_contacts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Draft',
            name='hours_spent',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Draft',
            name='hours_estimated',
            field=fields.FloatField(null=True),
        ),
    ]
