from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """How much of an LA's planned on-time weight a round may give up for quality: keeping writers whose drafts
    in a bundle's area pass QA first time least often off it (the contract's setting, 2% unless agreed)."""

    dependencies = [('models', '0016_draft_hours')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LaContract',
            name='quality_cost_limit',
            field=fields.FloatField(default=0.02),
        ),
    ]
