from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """A writing service's soft target on fair shares among writers on the same terms (null: none)."""

    dependencies = [('models', '0017_quality_cost_limit')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organisation',
            name='fair_share_tolerance',
            field=fields.FloatField(null=True),
        ),
    ]
