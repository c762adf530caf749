from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_bundle_queued_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEntry',
            name='hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='prev_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
