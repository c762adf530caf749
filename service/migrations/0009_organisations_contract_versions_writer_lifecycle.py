from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from service.models.people import WriterStatus


class Migration(migrations.Migration):
    dependencies = [('models', '0008_la_contract_qa_template')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organisation',
            name='archived_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='LaContract',
            name='ends_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Writer',
            name='status',
            field=fields.CharEnumField(description='INVITED: invited\nACTIVE: active\nSUSPENDED: suspended\nOFFBOARDED: offboarded', enum_type=WriterStatus, default=WriterStatus.ACTIVE, max_length=16),
        ),
        ops.AddField(
            model_name='Writer',
            name='dbs_number',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Writer',
            name='dbs_warned_for',
            field=fields.DateField(null=True),
        ),
    ]
